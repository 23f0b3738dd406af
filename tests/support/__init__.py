"""Test and benchmark support, outside the installed package: synthetic speech fixtures (espeak-ng, Piper),
recited and paraphrased answers for the rehearsed rule, word error rate (jiwer, a dev-only dependency) and capture
loss measurement. Used by tests/ and scripts/bench."""
