"""The list readers by the format name the CLI takes."""

from __future__ import annotations

from collections.abc import Mapping

from compliance.adapters.sanctions.eu_consolidated_csv import read_eu_consolidated_csv
from compliance.adapters.sanctions.ofac_sdn_csv import read_ofac_sdn_csv
from compliance.adapters.sanctions.un_consolidated_xml import read_un_consolidated_xml
from compliance.application.sanctions.ports import SanctionsListReader

SANCTIONS_READERS: Mapping[str, SanctionsListReader] = {
    "ofac": read_ofac_sdn_csv,
    "eu": read_eu_consolidated_csv,
    "un": read_un_consolidated_xml,
}
