"""Excel import of the lists Dinas staff keep: pure parser (parse.py), matching and writing (service.py)."""
