"""The transfer queue as rows: the engine's snapshots become the model's rows here
(``engine_bridge``), and its rows pixels (``progress_delegate``, ``content_type_delegate``)."""
