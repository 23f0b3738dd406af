"""The practice engine: one session loop under both views of mockiv (the app and the plain terminal).

prompts.py    what is asked: a pack question or a follow-up, and which follow-up comes next
listening.py  one spoken answer: microphone, voice activity (start, pause, end), streaming transcription
model.py      the speech model, loaded once in the background
analysis.py   one answer through mockiv.analysis.analyze with the session's context -> AnswerResult
session.py    the engine: questions, speaking, listening, answers typed or from files, the store; its events
"""
