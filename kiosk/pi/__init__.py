"""The Pi's edges: GPIO buttons, monitor sleep (CEC), sound, systemd notify, heap trimming.

In: button presses, the person's presence, cue events, the service's life cycle.
Out: screen actions (kiosk.screen.flow.Action), standby/wake, tones, sd_notify messages.
Must not import: the judge, coach, pose, sources, or the screen beyond flow's actions.
"""
