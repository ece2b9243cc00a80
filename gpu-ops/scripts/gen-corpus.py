#!/usr/bin/env python3
"""Writes the bundled training corpus: simple English prose from a small fixed grammar, seeded, so that it is
ours to ship (no third-party text) and learnable by a tiny byte-level GPT. Re-running gives the same bytes."""
import random
import sys

r = random.Random(20240110)
adj = ["old", "young", "quiet", "brave", "tired", "clever", "small", "tall", "grey", "happy", "patient", "kind"]
who = ["miller", "farmer", "sailor", "weaver", "baker", "fox", "crow", "shepherd", "smith", "child", "hunter",
       "fisherman", "king", "queen", "goose", "wolf"]
verb = ["walked to", "looked at", "sang near", "waited by", "ran past", "slept under", "spoke to", "dreamed of",
        "climbed", "painted", "counted", "followed"]
place = ["the river", "the mill", "the old bridge", "the market", "the hill", "the forest", "the harbour",
         "the castle", "the well", "the garden", "the field of wheat", "the stone wall"]
when = ["in the morning", "at noon", "before the rain", "after supper", "every day", "at night",
        "when the bells rang", "in the winter"]
said = ["The wind is cold", "The bread is warm", "We must go home", "The sea is calm", "I have lost my way",
        "The stars are bright", "Work is done", "Tomorrow we sail"]


def sentence():
    k = r.random()
    a, w = r.choice(adj), r.choice(who)
    if k < 0.45:
        return f"The {a} {w} {r.choice(verb)} {r.choice(place)} {r.choice(when)}."
    if k < 0.7:
        return f'"{r.choice(said)}," said the {a} {w}.'
    if k < 0.85:
        n = r.randint(2, 9)
        return f"The {w} had {n} {r.choice(['apples', 'coins', 'sheep', 'nets', 'loaves'])}, and gave {n - 1} away."
    return f"The {a} {w} and the {r.choice(adj)} {r.choice(who)} {r.choice(verb)} {r.choice(place)}."


out = []
size = 0
while size < int(sys.argv[1]) if len(sys.argv) > 1 else size < 120_000:
    para = " ".join(sentence() for _ in range(r.randint(3, 7))) + "\n\n"
    out.append(para)
    size += len(para)
sys.stdout.write("".join(out))
