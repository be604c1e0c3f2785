"""Letters of the procedure: rendering from the templates of letters/ (Jinja2 sandbox), the
context a letter is given, HTML, DOCX and PDF output, and the register of issued letters."""
