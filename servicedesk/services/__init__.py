"""The verbs of servicedesk. Each write is one transaction; each raises ServicedeskError on bad input."""
