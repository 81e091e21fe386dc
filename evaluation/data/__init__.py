"""Data layer: the data contract, reading municipal exports, validation and the row ledger."""
