"""Adapters to systems outside Kènèya (SMS gateways; later FHIR, DHIS2, OpenRosa).

Each adapter hides one outside system behind a small interface and is tested against a local fake
server that speaks the real system's documented format.
"""
