/** axe on every main screen of the real app (no serious or critical violations), with a screenshot of each. */
import { ensureGrouped, expect, test } from './fixtures.js';
import { expectAccessible, screenshot } from './helpers.js';

test('every main screen passes axe', async ({ appPage: page, service }, testInfo) => {
  test.setTimeout(20 * 60_000);
  const libraryId = await ensureGrouped(page, service);
  const screens: Array<[string, string, () => Promise<void>]> = [
    ['libraries', '#/', () => expect(page.getByRole('heading', { name: 'Libraries', exact: true })).toBeVisible()],
    ['progress', `#/library/${libraryId}/activity`, () => expect(page.getByRole('heading', { name: '3 files could not be read' })).toBeVisible()],
    ['groups', `#/library/${libraryId}/groups`, () => expect(page.getByRole('list', { name: 'Groups', exact: true })).toBeVisible()],
    ['review', `#/library/${libraryId}/review`, () => expect(page.getByRole('main').getByRole('heading', { level: 2 }).first()).toBeVisible()],
    ['map', `#/library/${libraryId}/map`, () => expect(page.getByRole('img', { name: /^Map of/ })).toBeVisible({ timeout: 120_000 })],
    ['history', `#/library/${libraryId}/history`, () => expect(page.getByRole('heading', { name: 'History' })).toBeVisible()],
    ['settings', '#/settings', () => expect(page.getByRole('button', { name: 'Save settings' })).toBeVisible()],
  ];
  for (const [name, hash, ready] of screens) {
    await page.evaluate((h) => (window.location.hash = h), hash);
    await ready();
    await screenshot(page, testInfo, name);
    await expectAccessible(page, testInfo, name);
  }
  await page.evaluate((h) => (window.location.hash = h), `#/library/${libraryId}/groups`);
  await page.getByRole('list', { name: 'Groups', exact: true }).getByRole('link', { name: /^Open / }).first().click();
  await expect(page.getByRole('grid')).toBeVisible();
  await screenshot(page, testInfo, 'gallery');
  await expectAccessible(page, testInfo, 'gallery');
  await page.getByRole('gridcell').first().dblclick();
  await expect(page.getByRole('dialog')).toBeVisible();
  await screenshot(page, testInfo, 'lightbox');
  await expectAccessible(page, testInfo, 'lightbox');
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Export…' }).first().click();
  await expect(page.getByRole('dialog', { name: 'Export groups to folders' })).toBeVisible();
  await screenshot(page, testInfo, 'export-dialog');
  await expectAccessible(page, testInfo, 'export-dialog');
});
