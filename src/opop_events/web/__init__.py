"""Server-rendered web pages in Bahasa Indonesia: the public exhibition (pameran) and the role pages."""
