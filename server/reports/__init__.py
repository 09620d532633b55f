"""Report rendering shared by the web pages and the command line: SVG charts and the PDF."""
