"""Everything that measures the kiosk: `hinge-mirror bench`, the soak, the one-off probes.

In: the product's own parts (pose, judge, app, screen) fed generated athletes or clips.
Out: numbers (speed, latency, memory, steadiness), as text or JSON; never a product feature.
Must not be imported by the product: only kiosk.commands (the `bench` command) may use it.

pipeline  the `bench` engine: floor vs pipeline ratio, runtimes, the second model's cost,
          the live child process
live      the kiosk itself in a child process: start-up, render frame time, latency, memory
render    how long one coaching frame takes to draw      (python -m kiosk.bench.render)
pose      the pose core's stages                          (python -m kiosk.bench.pose)
cold      the judge right after the model ran             (python -m kiosk.bench.cold)
frames    frames to measure on: a video, or the drawn athlete
soak      the whole kiosk for hours, accelerated          (python -m kiosk.bench.soak, scripts/soak)
soak_trace  where a soak's memory goes (--trace A,B)
"""
