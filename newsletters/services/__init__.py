"""Every change to the newsletters app's data, one module per capability:

- sends: a send of one edition to one audience, its life cycle and the ledger it freezes
- deliveries: claiming and sending the ledger's rows, exactly once
- optouts: an external recipient's opt-out, per Infohus
- plans: the reminder, once per due date, that the next edition is due
- urgent: an urgent internal message, written and sent at once by a leader
- audiences: the default audience of an Infohus
"""
