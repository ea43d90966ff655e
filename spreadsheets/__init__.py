"""Workbooks and CSV files that people fill in and the product reads back: the agency workbook, the
LKE form, and the tables they share (CSV with `,` or `;`, or an .xlsx sheet)."""
