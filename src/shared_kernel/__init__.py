"""Pure domain shared by every service: money, IBANs, ids, events, errors and message contracts."""
