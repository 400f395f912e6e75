"""Downloads: what a selection means on disk (plan), the download engine on the shared
scheduler, its GETs (reader) and its temporary files and their placing (files)."""
