"""Where dropped files become jobs and jobs become work: the queue, the engines and their
scheduler, the crash-safe journal, and the engine process the window drives."""
