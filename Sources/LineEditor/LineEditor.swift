// LineEditor: libedit wrapper (see issue 5).
