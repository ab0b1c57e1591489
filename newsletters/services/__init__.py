"""Every change to the newsletters app's data, one module per capability:

- sends: a send of one edition to one audience, its life cycle and the ledger it freezes
- deliveries: claiming and sending the ledger's rows, exactly once
- optouts: an external recipient's opt-out
- plans: the reminder, once per due date, that the next edition is due
"""
