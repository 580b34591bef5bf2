"""Worker jobs used by the worker's tests."""

calls = []


def counting_job():
    calls.append("counting")
    return 0


def failing_job():
    calls.append("failing")
    raise RuntimeError("job broke")
