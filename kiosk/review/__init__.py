"""Recorded sets judged offline (`hinge-mirror analyze`): a video file through pose and judge.

In: a video file (or frames, or poses) and the exercise.
Out: the per-rep reports and a summary, and optionally an overlay video of the skeleton.
Must not import: the live kiosk (app, worker, startup), the pi, history or the bench.
"""
