"""The pose step: where a camera frame becomes keypoints.

In: RGB frames with their timestamps (kiosk.sources.Frame, or an (H, W, 3) array and t).
Out: one tracked, smoothed `Pose` per frame (kiosk.pose.keypoints), or None when nobody is in view.
Must not import: the judge, coach, screen, pi, review or bench (anything downstream of it).

estimator.PoseEstimator ties the parts together: model_files (find and check the model),
runtime (LiteRT, tflite-runtime or TensorFlow), movenet (one invoke, decode), imaging and
crop (the smart crop), tracking (stay on the coached person), smoothing (One Euro).
keypoints holds the `Pose` type the judge, coach and screen use. This file stays light:
importing kiosk.pose.keypoints must not load the interpreter runtime, OpenCV or the model.
"""


def __getattr__(name: str):
    # `from kiosk.pose import PoseEstimator`, loaded only when asked for.
    if name == "PoseEstimator":
        from kiosk.pose.estimator import PoseEstimator

        return PoseEstimator
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
