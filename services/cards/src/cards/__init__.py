"""Cards, the PCI DSS island: card lifecycle, PAN vault, reveal and authorization."""
