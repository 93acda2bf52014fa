"""3GPP tables as CSV data files (package so that setuptools ships the *.csv files)."""
