"""Which part of the story each sentence tells.

STAR (situation, task, action, result) for every kind of answer, as seed 000 recommends; the four-part
failure story (context, what went wrong, response, lesson) of seed 002 for failure questions. Labels come
from phrase lists in rules/data/structure.toml plus who-did-what from `analysis`; a sentence with no marker
continues the part before it (before the first action that is the situation or context).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from mockiv.core.analysis import Doc, lexicon_set, outcomes, read
from mockiv.core.delivery import DeliveryMetrics
from mockiv.core.transcript import Kind, Transcript


class Part(StrEnum):
    SITUATION = "situation"
    TASK = "task"
    ACTION = "action"
    RESULT = "result"
    CONTEXT = "context"
    WHAT_WENT_WRONG = "what-went-wrong"
    RESPONSE = "response"
    LESSON = "lesson"


STAR_PARTS = (Part.SITUATION, Part.TASK, Part.ACTION, Part.RESULT)
FAILURE_PARTS = (Part.CONTEXT, Part.WHAT_WENT_WRONG, Part.RESPONSE, Part.LESSON)


@dataclass(frozen=True, slots=True)
class SentencePart:
    """Sentence `index` (words [start_index, end_index)) tells this part of the story."""

    index: int
    label: Part
    start_index: int
    end_index: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "label": str(self.label), "start_index": self.start_index,
                "end_index": self.end_index, "text": self.text}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SentencePart:
        return cls(data["index"], Part(data["label"]), data["start_index"], data["end_index"], data.get("text", ""))


def _action_sentences(doc: Doc) -> set[int]:
    """Sentences where "I"/"we" do something ("we had a big migration" only sets the scene)."""
    stative = lexicon_set("common", "stative_verbs")
    return {doc.sentence_of_word(index) for index, _subject, verb, _at in doc.subject_verbs()
            if verb.removeprefix("have ") not in stative}


def _star(doc: Doc) -> list[Part]:
    # Being told what to do is the task ("My manager assigned me the migration"); a hedged "I was involved in"
    # is still the candidate's action.
    task = doc.sentences_with("structure.task") | doc.sentences_with("ownership.reactive")
    result = doc.sentences_with("structure.result") | {doc.sentence_of_word(q.start) for q in outcomes(doc)}
    problem = doc.sentences_with("structure.problem")
    action = _action_sentences(doc) | doc.sentences_with("ownership.ownership_hedge")
    labels: list[Part] = []
    seen_action = False
    for s in range(doc.sentence_count):
        if s in task and not (seen_action and s in result):
            label = Part.TASK
        elif s in result and (seen_action or s not in problem) and s > 0:
            label = Part.RESULT
        elif s in action and not (not seen_action and s in problem and s == 0):
            label = Part.ACTION
            seen_action = True
        elif labels:
            label = labels[-1] if labels[-1] != Part.TASK else Part.SITUATION if not seen_action else Part.ACTION
        else:
            label = Part.SITUATION
        if label in (Part.ACTION, Part.RESULT):
            seen_action = True
        labels.append(label)
    return labels


def _failure(doc: Doc) -> list[Part]:
    wrong = doc.sentences_with("structure.went_wrong")
    lesson = doc.sentences_with("structure.lesson")
    response = doc.sentences_with("structure.response") | {doc.sentence_of_word(i) for i in doc.i_actions()}
    labels: list[Part] = []
    seen_wrong = False
    for s in range(doc.sentence_count):
        if s in lesson and (seen_wrong or s > 0):
            label = Part.LESSON
        elif s in response and seen_wrong:
            label = Part.RESPONSE  # once the failure is told, what the candidate did next
        elif s in wrong:
            label = Part.WHAT_WENT_WRONG
        elif labels:
            label = labels[-1]
        else:
            label = Part.CONTEXT
        seen_wrong = seen_wrong or label == Part.WHAT_WENT_WRONG
        labels.append(label)
    return labels


def tag_doc(doc: Doc) -> tuple[SentencePart, ...]:
    labels = _failure(doc) if doc.kind == Kind.FAILURE else _star(doc)
    out = []
    texts = doc.memo.get("sentence_texts")  # read() keeps them; a Doc built otherwise joins each sentence here
    for s, label in enumerate(labels):
        begin, end = doc.view.sentence_spans[s]
        text = texts[s] if texts is not None else doc.transcript.span_text(begin, end)
        out.append(SentencePart(s, label, begin, end, text))
    return tuple(out)


def tag(transcript: Transcript, kind: Kind, metrics: DeliveryMetrics | None = None) -> tuple[SentencePart, ...]:
    """Label every sentence of an answer with the story part it tells."""
    return tag_doc(read(transcript, kind, metrics))

