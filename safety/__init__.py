"""Emergency recognition and triage rules: pure Python, no Rasa, no channels.

`assess(text)` says whether a patient's message is an emergency (level EMERGENCY), uncertain
enough to ask whether someone is in danger now (ASK), or neither (NONE); with the category, the
guidance line that leads the answer, the language, and the words that decided. The rasa server's
NLU and the channels both use it. What it recognises is data a clinician can read and change,
under safety/data/.
"""

from safety.assessment import ASK, CALL_911, CRISIS_988, EMERGENCY, NONE, POISON_CONTROL, Assessment, assess

__all__ = ["ASK", "CALL_911", "CRISIS_988", "EMERGENCY", "NONE", "POISON_CONTROL", "Assessment", "assess"]
