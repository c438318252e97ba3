// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackboneInfo, Capabilities, Settings } from '../../../core/api.js';
import { apiDouble, renderWithApi } from '../test/apiDouble.js';
import { SettingsView } from './SettingsView.js';

const backbone = (id: string, over: Partial<BackboneInfo>): BackboneInfo => ({ id, description: id, inputSize: 224, bytes: 5_000_000, license: 'Apache-2.0', downloaded: false, isDefault: false, namesGroups: false, ...over });
const caps = (backbones: BackboneInfo[]): Capabilities =>
  ({ platform: 'browser', version: '1', backends: [], activeBackend: null, backbones, canRevealInFileManager: false, canShowFolderDialog: false }) as unknown as Capabilities;
const settings = (over: Partial<Settings> = {}): Settings => ({ k: 'auto', mode: 'finetune', backbone: 'v2', backend: 'auto', epochs: null, ...over });
const NAMING = () => screen.queryByTestId('naming-model');

afterEach(cleanup);

describe('SettingsView', () => {
  const backbones = [backbone('v1', { namesGroups: true, bytes: 4_400_000 }), backbone('v2', { isDefault: true, downloaded: true })];

  it('tells what suggested names download besides the chosen backbone', async () => {
    renderWithApi(<SettingsView />, apiDouble({ getSettings: () => settings(), getCapabilities: () => caps(backbones) }));
    await waitFor(() => expect(NAMING()).not.toBeNull());
    expect(NAMING()!.textContent).toMatch(/^Suggested group names use v1 · 4\.40 MB · downloads on first use$/);
  });

  it('says nothing more when the chosen backbone names the groups itself, or in from-scratch mode', async () => {
    renderWithApi(<SettingsView />, apiDouble({ getSettings: () => settings({ backbone: 'v1' }), getCapabilities: () => caps(backbones) }));
    await screen.findByRole('button', { name: 'Save settings' });
    expect(NAMING()).toBeNull();
    fireEvent.change(screen.getByLabelText('Backbone'), { target: { value: 'v2' } });
    expect(NAMING()).not.toBeNull();
    fireEvent.change(screen.getByLabelText('Mode'), { target: { value: 'scratch' } });
    expect(NAMING()).toBeNull();
  });

  it('warns beside the number of groups that the automatic choice can choose too few', async () => {
    renderWithApi(<SettingsView />, apiDouble({ getSettings: () => settings(), getCapabilities: () => caps(backbones) }));
    const hint = await screen.findByText(/Automatic can choose too few groups/);
    expect(hint.closest('fieldset')?.querySelector('legend')?.textContent).toBe('Number of groups');
  });
});
