"""Pure domain vocabulary shared by every layer: units, periods, credit codes, plan models.

It sits below `store` and `metrics` and imports nothing else of ours, so the rules it states
(what a 亿元 is, what 2015Q3 means, when a credit code is valid) have one home.
"""
