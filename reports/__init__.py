"""The quarterly briefing exports (Excel, Word, PDF), built from metrics output and ui figures."""
