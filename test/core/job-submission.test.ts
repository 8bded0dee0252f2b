import { describe, expect, it } from 'vitest';
import { invalidInput, type ImagefleetError } from '../../src/core/errors.js';
import { parseJobSpec } from '../../src/core/job-spec.js';
import { jobSpecFromSubmission, relabelSubmissionError, submitAutomaticBodySchema, submitItemsBodySchema } from '../../src/core/job-submission.js';
import { thrownBy } from '../support/thrown-by.js';

describe('jobSpecFromSubmission', () => {
  it('turns the automatic shorthand into an automatic spec, with the default model when none is named', () => {
    const body = submitAutomaticBodySchema.parse({ mode: 'automatic', provider: 'local', referenceIds: ['a1', 'a2'], prompt: 'on marble', variationsPerImage: 2, seed: 5 });
    const { spec, submissionPath } = jobSpecFromSubmission(body, 'local-transform');
    expect(parseJobSpec(spec)).toMatchObject({ mode: 'automatic', model: 'local-transform', referenceAssetIds: ['a1', 'a2'], prompt: 'on marble', variationsPerImage: 2, seed: 5 });
    expect(submissionPath('referenceAssetIds.1')).toBe('referenceIds.1');
  });

  it('turns automatic items into one reference each, and refuses items that differ', () => {
    const body = submitItemsBodySchema.parse({ mode: 'automatic', provider: 'local', model: 'm', items: [{ referenceIds: ['a1'], prompt: 'p', count: 2, seed: 10 }, { referenceIds: ['a2'], prompt: 'p', count: 2 }] });
    const { spec, submissionPath } = jobSpecFromSubmission(body, undefined);
    expect(parseJobSpec(spec)).toMatchObject({ mode: 'automatic', referenceAssetIds: ['a1', 'a2'], variationsPerImage: 2, seed: 10 });
    expect(submissionPath('referenceAssetIds.1')).toBe('items.1.referenceIds.0');
    expect(submissionPath('variationsPerImage')).toBe('items.0.count');

    const differing = submitItemsBodySchema.parse({ mode: 'automatic', provider: 'local', items: [{ referenceIds: ['a1'], prompt: 'p' }, { referenceIds: ['a2'], prompt: 'q', count: 3 }] });
    const error = thrownBy(() => jobSpecFromSubmission(differing, undefined)) as ImagefleetError;
    expect(error.issues.map((issue) => issue.path)).toEqual(['items.1.prompt', 'items.1.count']);
  });

  it('turns studio items into one prompt each; an item mask wins over the job mask', () => {
    const body = submitItemsBodySchema.parse({
      mode: 'studio',
      provider: 'local',
      groupId: 'g1',
      settings: { maskId: 'm0', size: '2K' },
      items: [{ referenceIds: ['r1'], prompt: 'a', count: 3 }, { referenceIds: ['r2'], prompt: 'b', maskId: 'm2' }, { prompt: 'c' }],
    });
    const { spec, submissionPath } = jobSpecFromSubmission(body, 'local-transform');
    const parsed = parseJobSpec(spec);
    expect(parsed).toMatchObject({ mode: 'studio', groupId: 'g1', settings: { size: '2K' } });
    if (parsed.mode !== 'studio') throw new Error('studio expected');
    expect(parsed.items.map((item) => item.maskAssetId)).toEqual(['m0', 'm2', undefined]);
    expect(parsed.items.map((item) => item.prompts[0]?.count)).toEqual([3, 1, 1]);
    expect(submissionPath('items.0.maskAssetId')).toBe('settings.maskId');
    expect(submissionPath('items.1.maskAssetId')).toBe('items.1.maskId');
    expect(submissionPath('items.2.prompts.0.text')).toBe('items.2.prompt');
  });
});

describe('relabelSubmissionError', () => {
  it("names the client's fields and keeps other errors as they are", () => {
    const relabelled = relabelSubmissionError(invalidInput([{ path: 'items.0.prompts.0.count', message: 'too many' }], 'Invalid job spec'), (path) => path.replace('.prompts.0', '')) as ImagefleetError;
    expect(relabelled.issues).toEqual([{ path: 'items.0.count', message: 'too many' }]);
    expect(relabelled.message).toBe('Invalid job: items.0.count: too many');
    const other = new Error('boom');
    expect(relabelSubmissionError(other, (path) => path)).toBe(other);
  });
});
