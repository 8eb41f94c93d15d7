#!/usr/bin/env python3
"""Validate bench/policy_questions.jsonl against the reference corpus (stdlib only).

The set holds questions written the way officials type them into a search box
(colloquial, short, often without the document's wording), in seven answerable kinds
plus unanswerable near misses. Checks:
  * every line is a JSON object with qid/kind/question/split; qids are unique;
    split is "a" or "b" and each kind is split evenly (difference <= 1);
  * answerable items have file/collection/answer; the file is in the manifest, the
    collection matches it, the answer is 6-60 characters and occurs verbatim in the
    file; reports how many times it occurs in the file and in how many other files;
  * paraphrase items do not copy the answer into the question; no question contains
    its whole answer verbatim unless it is shorter than 6 characters (warning);
  * version items name a year (4 digits) in the question, and that year appears in
    the file's name or title; title items do not quote the full manifest title;
  * unanswerable items have no file/answer and at least one verify_absent term;
    every term ("term" = nowhere in the corpus, "path::term" = not in that file) is absent;
  * minimum counts: >=25 per answerable kind, >=175 answerable, >=45 unanswerable,
    >=6 per collection (all 10).

Usage: python3 bench/check_policy_questions.py [--qa PATH] [--corpus DIR] [--quiet]
Default corpus: ../shared/corpus/policy beside the checkout (i.e. /work/shared/corpus/policy).
"""
import argparse, json, os, re, sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
DEF_QA = os.path.join(HERE, 'policy_questions.jsonl')
DEF_CORPUS = os.path.normpath(os.path.join(HERE, '..', '..', 'shared', 'corpus', 'policy'))
COLLECTIONS = ['gov_work_reports_national', 'gov_work_reports_provincial_2026',
               'cpc_congress_reports', 'party_regulations', 'eight_point_rules_and_notices',
               'supervision_discipline_regulations', 'policy_docs_central',
               'policy_docs_shandong', 'laws_and_regulations', 'xi_speeches_2020']
KINDS = ['fact', 'list', 'permission', 'title', 'paraphrase', 'version', 'issuer']
MIN_PER_KIND, MIN_ANSWERABLE, MIN_UNANSWERABLE, MIN_PER_COLLECTION = 25, 175, 45, 6


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--qa', default=DEF_QA)
    ap.add_argument('--corpus', default=DEF_CORPUS)
    ap.add_argument('--quiet', action='store_true', help='do not list multi-occurrence answers')
    args = ap.parse_args()
    errors, warnings = [], []
    cache = {}

    def text(rel):
        if rel not in cache:
            with open(os.path.join(args.corpus, rel), encoding='utf-8') as f:
                cache[rel] = f.read()
        return cache[rel]

    manifest, titles = {}, {}
    with open(os.path.join(args.corpus, 'manifest.tsv'), encoding='utf-8') as f:
        header = f.readline().rstrip('\n').split('\t')
        for line in f:
            row = dict(zip(header, line.rstrip('\n').split('\t')))
            manifest[row['filename']] = row['collection']
            titles[row['filename']] = row.get('title', '')

    items = []
    with open(args.qa, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as e:
                errors.append('line %d: bad JSON: %s' % (n, e))

    for q, c in Counter(it.get('qid') for it in items).items():
        if c > 1:
            errors.append('duplicate qid %s (%d times)' % (q, c))
    for q, c in Counter(it.get('question') for it in items).items():
        if c > 1:
            errors.append('duplicate question %r (%d times)' % (q, c))

    by_col, by_kind, col_kind, kind_split = Counter(), Counter(), Counter(), Counter()
    multi, elsewhere = [], []
    corpus_all = None

    def all_texts():
        nonlocal corpus_all
        if corpus_all is None:
            corpus_all = {rel: text(rel) for rel in manifest}
        return corpus_all

    for it in items:
        qid, kind, question = it.get('qid'), it.get('kind'), it.get('question')
        if not qid or not kind or not question:
            errors.append('%s: missing qid/kind/question' % qid)
            continue
        split = it.get('split')
        if split not in ('a', 'b'):
            errors.append('%s: split must be "a" or "b", got %r' % (qid, split))
        kind_split[(kind, split)] += 1
        by_kind[kind] += 1
        if kind == 'unanswerable':
            if 'file' in it or 'answer' in it:
                errors.append('%s: unanswerable item has file/answer' % qid)
            terms = it.get('verify_absent') or []
            if not terms:
                errors.append('%s: unanswerable without verify_absent terms' % qid)
            for t in terms:
                if '::' in t:
                    rel, term = t.split('::', 1)
                    if rel not in manifest:
                        errors.append('%s: verify_absent file not in manifest: %s' % (qid, rel))
                    elif term in text(rel):
                        errors.append('%s: "%s" occurs in %s' % (qid, term, rel))
                else:
                    hits = [rel for rel, s in all_texts().items() if t in s]
                    if hits:
                        errors.append('%s: "%s" occurs in %d file(s), e.g. %s' % (qid, t, len(hits), hits[0]))
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
        if ans in question:
            if kind == 'paraphrase':
                errors.append('%s: paraphrase question contains the answer' % qid)
            else:
                warnings.append('%s: question contains the whole answer' % qid)
        if kind == 'version':
            years = re.findall(r'(?<!\d)(1[89]\d\d|20\d\d)(?!\d)', question)
            if not years:
                errors.append('%s: version question names no year' % qid)
            elif not any(y in rel or y in titles.get(rel, '') for y in years):
                errors.append('%s: version year %s not in file name/title %s' % (qid, years, rel))
        if kind == 'title' and titles.get(rel) and titles[rel] in question:
            errors.append('%s: title question quotes the full title' % qid)
        others = [r for r, s in all_texts().items() if r != rel and ans in s]
        if others:
            elsewhere.append((qid, len(others)))
        by_col[col] += 1
        col_kind[(col, kind)] += 1

    answerable = sum(v for k, v in by_kind.items() if k != 'unanswerable')
    print('%-36s %5s  %s' % ('collection', 'total', ' '.join('%-10s' % k for k in KINDS)))
    for c in COLLECTIONS:
        print('%-36s %5d  %s' % (c, by_col[c], ' '.join('%-10d' % col_kind[(c, k)] for k in KINDS)))
        if by_col[c] < MIN_PER_COLLECTION:
            errors.append('collection %s has only %d questions (<%d)' % (c, by_col[c], MIN_PER_COLLECTION))
    print('%-36s %5d' % ('(unanswerable)', by_kind['unanswerable']))
    print()
    print('per kind: ' + ', '.join('%s=%d' % (k, by_kind[k]) for k in KINDS + ['unanswerable']))
    print('split a/b per kind: ' + ', '.join('%s=%d/%d' % (k, kind_split[(k, 'a')], kind_split[(k, 'b')])
                                             for k in KINDS + ['unanswerable']))
    print('answerable=%d unanswerable=%d total=%d' % (answerable, by_kind['unanswerable'], len(items)))
    for k in KINDS:
        if by_kind[k] < MIN_PER_KIND:
            errors.append('kind %s has only %d questions (<%d)' % (k, by_kind[k], MIN_PER_KIND))
    for k in KINDS + ['unanswerable']:
        if abs(kind_split[(k, 'a')] - kind_split[(k, 'b')]) > 1:
            errors.append('kind %s split unbalanced: a=%d b=%d' % (k, kind_split[(k, 'a')], kind_split[(k, 'b')]))
    if answerable < MIN_ANSWERABLE:
        errors.append('only %d answerable questions (<%d)' % (answerable, MIN_ANSWERABLE))
    if by_kind['unanswerable'] < MIN_UNANSWERABLE:
        errors.append('only %d unanswerable questions (<%d)' % (by_kind['unanswerable'], MIN_UNANSWERABLE))
    print('answer occurrences in its file: %d exactly once; %d more than once%s' % (
        answerable - len(multi), len(multi),
        (': ' + ', '.join('%s x%d' % m for m in multi)) if multi and not args.quiet else ''))
    print('answers also found in other files: %d%s' % (
        len(elsewhere), (': ' + ', '.join('%s (+%d)' % m for m in elsewhere)) if elsewhere and not args.quiet else ''))
    for w in warnings:
        print('WARNING:', w)
    for e in errors:
        print('ERROR:', e)
    print('FAIL' if errors else 'OK')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
