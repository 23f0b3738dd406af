"""Spoken recitations and paraphrases of the example story bank, for the `rehearsed` tests and benchmark.

A recitation reads a bank story (situation, action, result) word for word, or repeats an earlier answer; a
paraphrase tells the same facts in other words, as a prepared but unscripted candidate would. Each is
spoken by espeak-ng in several speaking styles (voice, rate, pitch range), so the measure is judged on
delivery that varies, not on one voice. Paraphrases also come in a "natural" style with fillers and pauses.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tests.support.speech_fixtures import SpeechFixture

# Our own retellings of question_packs/examples/story-bank.example.toml: the same facts, fresh words.
PARAPHRASES: dict[str, str] = {
    "cluster-upgrade-outage": (
        "This was at a payments company. I was moving our production OpenShift clusters to a newer version, and "
        "a couple of hours after the first one was done, a third of our customers could not pay by card. I "
        "stopped the remaining upgrades, sent the payment traffic to a cluster I had not touched, and compared "
        "the network rules from before and after. The new version handled outbound traffic differently, so I "
        "added an explicit rule, checked it in staging and rolled it out. Card payments worked again within 40 "
        "minutes and we did not lose a single transaction."),
    "namespace-governance": (
        "In one year our shared Kubernetes platform went from five product teams to forty. There were no quotas, "
        "anybody could make namespaces, and a single load test once broke services for three other teams. I "
        "could not order anyone around, so I started by talking to six team leads about what they needed. Then "
        "I put a short proposal in front of the architecture forum: one templated namespace per team, sensible "
        "quotas, and policies that only warned for the first month. Two teams disliked the quotas, so I raised "
        "them. Within six weeks every team had moved, and the noisy neighbour incidents stopped completely."),
    "pipeline-speed": (
        "Our deploys were slow, close to an hour between a merge and production, which meant people bundled "
        "lots of changes into each release and every release got riskier. I measured where the time went. Most "
        "of it was container builds starting from nothing and tests running one after another. I added caching "
        "of image layers, ran the tests in four parallel groups based on how long each one takes, and let the "
        "security scan happen at the same time as the tests. A change now reaches production in 12 minutes, and "
        "we went from 15 to 40 deployments a week without more failures."),
    "unclear-observability-brief": (
        "After a quarter full of incidents, leadership asked for better observability, but nobody could define "
        "it, and three teams used three different tools. I got a budget and no requirements. So I went through "
        "twenty incident reviews and measured how long it took us to notice each problem. Talking to on-call "
        "engineers showed the real delay was matching logs to traces by hand. Rather than replace every tool, I "
        "proposed a single tracing standard, which cost about a tenth as much, and I built the first "
        "integration myself with the payments team. Detection time went from 25 minutes to 8."),
    "missed-migration-date": (
        "I had planned to move twelve old services off virtual machines onto OpenShift before our data centre "
        "contract ran out. About a month before that date I discovered three of them shared a file system that "
        "nobody had written down. The same day I went to my manager with two options: ship nine on time and keep "
        "three running a little longer, or slip the whole thing. We extended the contract for just those three "
        "machines for a month while I redesigned their storage. Nine moved on time, three a month later, and it "
        "cost us 4 thousand euros instead of a full extra year of the contract."),
    "cost-review": (
        "Finance came to engineering because the cloud bill had doubled in twelve months while traffic had only "
        "grown by a fifth. I offered to find out why. I labelled every resource with its owning team through our "
        "infrastructure code and sent each team a weekly report of its spending. Most of the growth came from "
        "development clusters sitting idle and databases that were far too big. I made the development clusters "
        "shut down overnight and worked with each team to shrink their databases. Two months later we were "
        "spending 35 percent less, roughly 40 thousand euros every month."),
    "mentored-junior": (
        "A new junior engineer on the platform team was nervous about on-call, and only four of us shared the "
        "rotation, so everyone was worn out. I said I would get her ready in three months. We did two shadow "
        "shifts together, wrote runbooks as a pair for the five alerts that fire most, and on the next incident I "
        "let her run it while I listened in and kept quiet. After every shift we took twenty minutes to talk about "
        "what she would change. Ten weeks later she was on the rotation, and with five people each of us now "
        "does ten on-call weeks a year instead of thirteen."),
    "secrets-rotation": (
        "We had an external audit coming in three months, and nobody had changed our database passwords in two "
        "years. Security set the policy and I was responsible for making rotation happen automatically on the "
        "platform, with no downtime. I compared a custom job with a secrets operator that reads from our vault, "
        "and picked the operator since it could restart services gradually. I planned the rollout and moved one "
        "team at a time together with their on-call engineer, and I added an alert for any secret older than "
        "ninety days. By the audit all 120 credentials rotated every thirty days and there were no findings."),
}

# Retellings of one story from another angle (seed 001, week 3), for the retell check and as "earlier answer"
# negatives: a different telling of the same story is not a recitation of the earlier one.
RETELLINGS: dict[tuple[str, str], str] = {
    ("pipeline-speed", "business"): (
        "Slow releases were costing the business. Developers waited close to an hour for every change, so they "
        "bundled work into big risky releases, and customers waited longer for fixes. I made the case to my "
        "manager that two weeks of my time would pay back quickly. After the change we shipped 40 times a week "
        "instead of 15, customers got fixes the same day, the failure rate did not rise, and the developer time "
        "we saved was worth about two engineers a year to the business."),
    ("pipeline-speed", "leadership"): (
        "Nobody had asked for this, so the first job was to convince people. I showed my manager and the team "
        "leads the delivery numbers and proposed two weeks to fix it. Some leads pushed back because they feared "
        "flaky parallel tests, so I agreed to run the old and new pipelines side by side for a week and share the "
        "results with everyone. That built trust. The teams decided together to switch, and I mentored two "
        "engineers so they could own the pipeline after me."),
    ("pipeline-speed", "failure"): (
        "My first attempt went wrong. I split the tests into parallel jobs without checking which ones shared a "
        "database, and for two days builds failed at random and developers lost trust in the pipeline. That was "
        "my mistake: I had not looked at the test dependencies. I rolled it back, apologised to the teams, and "
        "grouped the tests by the data they touch before trying again. I learned to trial a pipeline change on "
        "one team first, and since then I always run the old and new pipelines side by side."),
    ("namespace-governance", "technical"): (
        "The technical design was a namespace template per team rendered by our GitOps tooling, with resource "
        "quotas and limit ranges as defaults, and admission policies written for the policy engine. I ran the "
        "policies in audit mode for a month, collected the violations from the logs, and tuned the quota "
        "defaults for the memory heavy services before switching the policies to enforce. The trade-off was "
        "strict defaults against flexibility, so teams could request a higher quota through a pull request."),
}

_SITUATION_ACTION_RESULT = ("situation", "action", "result")


@dataclass(frozen=True, slots=True)
class Style:
    """How a text is spoken: espeak-ng voice and rate, SSML pitch range, and whether fillers are added."""

    name: str
    voice: str
    rate_wpm: int
    pitch_range: str  # SSML prosody range: x-low ... x-high
    natural: bool = False  # fillers and pauses (only ever for paraphrases: a recitation has none)


STYLES: tuple[Style, ...] = (
    Style("steady", "en-us", 165, "medium"),
    Style("flat", "en", 145, "x-low"),
    Style("lively", "en-us+f3", 180, "x-high"),
)
NATURAL = Style("natural", "en-us+m3", 150, "x-high", natural=True)


@dataclass(frozen=True, slots=True)
class RecitationCase:
    """One spoken answer and its truth: `rehearsed` when it recites its reference."""

    id: str
    story_id: str
    text: str
    style: Style
    rehearsed: bool
    reference_source: str  # "story": the reference is the bank story; "answer": an earlier answer's text
    reference_text: str = ""  # set for "answer" references; a "story" reference is read from the bank


def recitation_text(parts: dict[str, str]) -> str:
    """The bank story as a candidate who learnt it by heart would say it."""
    return " ".join(parts[key] for key in _SITUATION_ACTION_RESULT)


def _naturalise(text: str) -> str:
    """Add the fillers and hesitations of someone telling, not reading: a filler after every other sentence
    opening, a self-correction, a pause between sentences."""
    sentences = [s.strip() for s in text.replace(". ", ".|").split("|") if s.strip()]
    fillers = ("{Um,} ", "{So, uh,} ", "", "{Uh,} ")
    out: list[str] = []
    for i, sentence in enumerate(sentences):
        if i == 1:
            words = sentence.split(" ")
            sentence = " ".join([*words[:2], "{I mean,}", *words[2:]])
        out.append(fillers[i % len(fillers)] + sentence)
    return " [0.9] ".join(out)


def script(text: str, style: Style) -> str:
    """A SpeechFixture script for `text` in `style` (SSML prosody around it; fillers for natural speech)."""
    body = _naturalise(text) if style.natural else text
    return f'<prosody range="{style.pitch_range}">{body}</prosody>'


def fixture(case: RecitationCase) -> SpeechFixture:
    return SpeechFixture(case.id, script(case.text, case.style), case.style.voice, case.style.rate_wpm)


def cases(stories: dict[str, dict[str, str]], styles: tuple[Style, ...] = STYLES) -> Iterator[RecitationCase]:
    """Recitations and paraphrases of every bank story in every style, plus repeats of earlier answers.

    `stories` maps a story id to its parts (situation, task, action, result, ...), as in the bank.
    """
    for story_id, parts in stories.items():
        if story_id not in PARAPHRASES:
            continue
        for style in styles:
            yield RecitationCase(f"rc-{story_id}-{style.name}", story_id, recitation_text(parts), style, True, "story")
            yield RecitationCase(f"pp-{story_id}-{style.name}", story_id, PARAPHRASES[story_id], style, False, "story")
        yield RecitationCase(f"pp-{story_id}-natural", story_id, PARAPHRASES[story_id], NATURAL, False, "story")
    # Earlier answers: the paraphrase was answered before; saying it again word for word is a recitation of
    # one's own script, telling the story from another angle is not.
    for index, ((story_id, angle), text) in enumerate(sorted(RETELLINGS.items())):
        style = styles[index % len(styles)]
        earlier = PARAPHRASES[story_id]
        yield RecitationCase(f"ra-{story_id}-{angle}", story_id, earlier, style, True, "answer", earlier)
        yield RecitationCase(f"na-{story_id}-{angle}", story_id, text, style, False, "answer", earlier)
