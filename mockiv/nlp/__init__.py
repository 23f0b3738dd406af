"""Language understanding in the shell: the sentence encoder that the judgement layer reads."""
