"""The rule engine: the interviewers' rubric (seeds 000-003) as rules that cite the candidate's own words.

    from mockiv.core.rules import evaluate, RuleResult, RULES_VERSION, catalog
"""

from mockiv.core.rules.engine import (
    RULES_VERSION,
    RuleResult,
    catalog,
    evaluate,
    rule_specs,
    rule_title,
    strength_specs,
)

__all__ = ["RULES_VERSION", "RuleResult", "catalog", "evaluate", "rule_specs", "rule_title", "strength_specs"]
