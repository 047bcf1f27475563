#!/usr/bin/env python3
"""Regenerates the SentencePiece golden files used by SentencePieceModelTest.

Trains a small BPE model with the reference implementation (pip install sentencepiece) on synthetic-corpus
transcripts and records its encodings of held-out sentences, so the Java reader is checked against
SentencePiece itself rather than against our own understanding of the format.

usage: make_sentencepiece_golden.py TRAIN_MANIFEST.jsonl HELDOUT_MANIFEST.jsonl
"""
import json
import sys

import sentencepiece as spm


def texts(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f if line.strip()]


def main():
    train, heldout = texts(sys.argv[1]), texts(sys.argv[2])
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(train), model_prefix="sp-bpe-200", model_type="bpe", vocab_size=200,
        character_coverage=1.0, normalization_rule_name="identity", bos_id=1, eos_id=2, unk_id=0)
    sp = spm.SentencePieceProcessor(model_file="sp-bpe-200.model")
    cases = [{"text": t, "ids": sp.encode(t), "pieces": sp.encode(t, out_type=str)} for t in heldout[:40]]
    cases.append({"text": "zyzzyva quixotically", "ids": sp.encode("zyzzyva quixotically"),
                  "pieces": sp.encode("zyzzyva quixotically", out_type=str)})
    with open("sp-bpe-200.golden.json", "w", encoding="utf-8") as f:
        f.write('{"sentencepiece_version": %s, "cases": [\n' % json.dumps(spm.__version__))
        f.write(",\n".join(json.dumps(c, ensure_ascii=False) for c in cases))
        f.write("\n]}\n")


if __name__ == "__main__":
    main()
