"""The computation: periods, growth, progress and status of every target.

`periods`, `growth` and `progress` are pure functions of numbers (no database, no streamlit), so
they are tested against arithmetic written out by hand. `tracker` is the one module that reads
the store, assembles each target's series and hands them to the pure functions.
"""
