"""The command line: `nixls-assist check | serve | index | explain`.

Only this layer prints or exits.
"""
