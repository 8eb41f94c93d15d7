#!/usr/bin/env python3
"""Validate bench/policy_dev_qa.jsonl against the reference corpus (stdlib only).

Checks:
  * every line is a JSON object with qid/kind/question; qids are unique;
  * answerable items have file/collection/answer, the file exists (read as UTF-8),
    the collection matches the file's folder, the answer is 6-60 characters and
    occurs verbatim in the file; reports how many times it occurs;
  * paraphrase items do not copy the answer into the question;
  * unanswerable items have no file/answer; every term in `verify_absent`
    ("term" = nowhere in the corpus, "path::term" = not in that file) is absent;
  * minimum counts: >=4 per collection (all 10), >=10 per answerable kind,
    >=70 answerable, >=30 unanswerable.

Usage: python3 bench/check_policy_qa.py [--qa PATH] [--corpus DIR]
Default corpus: ../shared/corpus/policy beside the checkout (i.e. /work/shared/corpus/policy).
"""
import argparse, json, os, sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
DEF_QA = os.path.join(HERE, 'policy_dev_qa.jsonl')
DEF_CORPUS = os.path.normpath(os.path.join(HERE, '..', '..', 'shared', 'corpus', 'policy'))
COLLECTIONS = ['gov_work_reports_national', 'gov_work_reports_provincial_2026',
               'cpc_congress_reports', 'party_regulations', 'eight_point_rules_and_notices',
               'supervision_discipline_regulations', 'policy_docs_central',
               'policy_docs_shandong', 'laws_and_regulations', 'xi_speeches_2020']
KINDS = ['article', 'docno', 'date', 'fact', 'paraphrase']


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--qa', default=DEF_QA)
    ap.add_argument('--corpus', default=DEF_CORPUS)
    args = ap.parse_args()
    errors, warnings = [], []
    cache = {}

    def text(rel):
        if rel not in cache:
            with open(os.path.join(args.corpus, rel), encoding='utf-8') as f:
                cache[rel] = f.read()
        return cache[rel]

    manifest = {}
    with open(os.path.join(args.corpus, 'manifest.tsv'), encoding='utf-8') as f:
        header = f.readline().rstrip('\n').split('\t')
        for line in f:
            row = dict(zip(header, line.rstrip('\n').split('\t')))
            manifest[row['filename']] = row['collection']

    items = []
    with open(args.qa, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as e:
                errors.append('line %d: bad JSON: %s' % (n, e))

    qids = Counter(it.get('qid') for it in items)
    for q, c in qids.items():
        if c > 1:
            errors.append('duplicate qid %s (%d times)' % (q, c))

    by_col, by_kind, col_kind = Counter(), Counter(), Counter()
    multi = []
    corpus_all = None
    for it in items:
        qid, kind = it.get('qid'), it.get('kind')
        if not qid or not kind or not it.get('question'):
            errors.append('%s: missing qid/kind/question' % qid)
            continue
        by_kind[kind] += 1
        if kind == 'unanswerable':
            if 'file' in it or 'answer' in it:
                errors.append('%s: unanswerable item has file/answer' % qid)
            terms = it.get('verify_absent') or []
            if not terms:
                warnings.append('%s: unanswerable without verify_absent terms' % qid)
            for t in terms:
                if '::' in t:
                    rel, term = t.split('::', 1)
                    if term in text(rel):
                        errors.append('%s: "%s" occurs in %s' % (qid, term, rel))
                else:
                    if corpus_all is None:
                        corpus_all = {rel: text(rel) for rel in manifest}
                    hits = [rel for rel, s in corpus_all.items() if t in s]
                    if hits:
                        errors.append('%s: "%s" occurs in %d file(s), e.g. %s' % (qid, t, len(hits), hits[0]))
            by_col['(unanswerable)'] += 1
            continue
        if kind not in KINDS:
            errors.append('%s: unknown kind %r' % (qid, kind))
        rel, col, ans = it.get('file'), it.get('collection'), it.get('answer')
        if not rel or not col or not ans:
            errors.append('%s: missing file/collection/answer' % qid)
            continue
        if rel not in manifest:
            errors.append('%s: file not in manifest: %s' % (qid, rel))
            continue
        if manifest[rel] != col:
            errors.append('%s: collection %s != manifest %s' % (qid, col, manifest[rel]))
        if not 6 <= len(ans) <= 60:
            errors.append('%s: answer length %d outside 6-60' % (qid, len(ans)))
        cnt = text(rel).count(ans)
        if cnt == 0:
            errors.append('%s: answer not found verbatim in %s: %r' % (qid, rel, ans))
        elif cnt > 1:
            multi.append((qid, cnt))
        if kind == 'paraphrase' and ans in it['question']:
            errors.append('%s: paraphrase question contains the answer' % qid)
        by_col[col] += 1
        by_kind  # noqa
        col_kind[(col, kind)] += 1

    answerable = sum(v for k, v in by_kind.items() if k != 'unanswerable')
    print('%-36s %5s  %s' % ('collection', 'total', '  '.join('%-10s' % k for k in KINDS)))
    for c in COLLECTIONS:
        print('%-36s %5d  %s' % (c, by_col[c], '  '.join('%-10d' % col_kind[(c, k)] for k in KINDS)))
        if by_col[c] < 4:
            errors.append('collection %s has only %d questions (<4)' % (c, by_col[c]))
    print('%-36s %5d' % ('(unanswerable)', by_kind['unanswerable']))
    print()
    print('per kind: ' + ', '.join('%s=%d' % (k, by_kind[k]) for k in KINDS + ['unanswerable']))
    print('answerable=%d unanswerable=%d total=%d' % (answerable, by_kind['unanswerable'], len(items)))
    for k in KINDS:
        if by_kind[k] < 10:
            errors.append('kind %s has only %d questions (<10)' % (k, by_kind[k]))
    if answerable < 70:
        errors.append('only %d answerable questions (<70)' % answerable)
    if by_kind['unanswerable'] < 30:
        errors.append('only %d unanswerable questions (<30)' % by_kind['unanswerable'])
    once = answerable - len(multi)
    print('answer occurrences in file: %d answers occur exactly once; %d occur more than once%s' % (
        once, len(multi), (': ' + ', '.join('%s x%d' % m for m in multi)) if multi else ''))
    for w in warnings:
        print('WARNING:', w)
    for e in errors:
        print('ERROR:', e)
    print('FAIL' if errors else 'OK')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
