"""Fixture host apps, one module per shape real image-generation apps take.

Each is written the way such apps are written, knowing nothing of prompt tracking, and
talks to a loopback stand-in for an image API (`fake_api`) through a small SDK-like
client (`sdk`), so the tests click real buttons and get real HTTP responses.
"""
