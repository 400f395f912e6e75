"""The main window and the parts it is made of: its actions, the destination, the queue
tab, the status bar, and the desktop around it (tray notifications, taskbar progress)."""
