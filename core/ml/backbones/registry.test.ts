import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedDir } from '../../paths.js';
import { backboneBytes, defaultBackboneId, getBackbone, listBackbones, loadRegistry, parseRegistry, UnknownBackboneError } from './registry.js';

const registry = loadRegistry();

describe('backbone registry', () => {
  it('lists both backbones, MobileNetV2 (best on real photos, bench/features.ts) as the default', () => {
    expect(defaultBackboneId()).toBe('mobilenet_v2_1.0_224_int8_tflite');
    expect(listBackbones().map((b) => b.id)).toEqual(['mobilenet_v1_0.75_224', 'mobilenet_v2_1.0_224_int8_tflite']);
    const v1 = getBackbone('mobilenet_v1_0.75_224');
    expect(v1.embedding).toMatchObject({ tap: 'conv_pw_13_relu', dim: 768 });
    expect(backboneBytes(v1)).toBe(10_457_307);
    const v2 = getBackbone('mobilenet_v2_1.0_224_int8_tflite');
    expect(v2.files.find((f) => f.role === 'weights')!.url).toBe(
      'https://raw.githubusercontent.com/google-coral/test_data/104342d2d3480b3e66203073dac24f4e2dbb4c41/tf2_mobilenet_v2_1.0_224_ptq.tflite',
    );
  });

  it('throws a typed error for an unknown id', () => {
    expect(() => getBackbone('resnet9000')).toThrow(UnknownBackboneError);
  });

  it('every v1 weight shard named in model.json is a registry file', () => {
    const v1 = getBackbone('mobilenet_v1_0.75_224');
    const modelJson = JSON.parse(fs.readFileSync(path.join(sharedDir(), 'models', v1.id, 'model.json'), 'utf8'));
    const shards = modelJson.weightsManifest.flatMap((g: { paths: string[] }) => g.paths).sort();
    expect(v1.files.filter((f) => f.role === 'weights').map((f) => f.name).sort()).toEqual(shards);
  });

  it.each(registry.backbones.map((b) => [b.id]))('sizes and sha256 of %s match the shared copy and its MANIFEST', (id) => {
    const spec = getBackbone(id);
    const dir = path.join(sharedDir(), 'models', id);
    const manifest = fs.readFileSync(path.join(dir, 'MANIFEST.md'), 'utf8');
    for (const file of spec.files) {
      const bytes = fs.readFileSync(path.join(dir, file.name));
      expect(bytes.byteLength, file.name).toBe(file.bytes);
      expect(createHash('sha256').update(bytes).digest('hex'), file.name).toBe(file.sha256);
      expect(manifest).toContain(`${file.sha256}  ${file.name}`);
    }
  });

  it('rejects bad documents with the offending field named', () => {
    const good = JSON.parse(fs.readFileSync(new URL('../../../resources/models.json', import.meta.url), 'utf8'));
    const clone = () => structuredClone(good);
    const badHash = clone();
    badHash.backbones[0].files[0].sha256 = 'abc';
    expect(() => parseRegistry(badHash)).toThrow(/sha256/);
    const traversal = clone();
    traversal.backbones[0].files[0].name = '../evil';
    expect(() => parseRegistry(traversal)).toThrow(/plain name/);
    const badDefault = clone();
    badDefault.default = 'nope';
    expect(() => parseRegistry(badDefault)).toThrow(/default backbone "nope"/);
    const dup = clone();
    dup.backbones.push(dup.backbones[0]);
    expect(() => parseRegistry(dup)).toThrow(/duplicate backbone id/);
    const ftp = clone();
    ftp.backbones[0].files[0].url = 'ftp://example.org/model.json';
    expect(() => parseRegistry(ftp)).toThrow(/url/);
  });
});
