/**
 * The built renderer in Chromium against a test double of the contract (e2e/support/contractDouble.ts) served by
 * the real browser-mode server: every screen, its interactions, axe and screenshots, without the ML service.
 * The full journey on the real service is in library.spec.ts.
 */
import { expect, type Page } from '@playwright/test';
import { expectAccessible, screenshot } from './helpers.js';
import { uiTest } from './support/uiFixture.js';

const test = uiTest;

const sidebarCount = (page: Page, name: string) => page.getByRole('navigation', { name: 'Library' }).getByRole('link', { name: new RegExp(`^${name} \\d+$`) });

test('libraries, progress and settings screens', async ({ ui: { page, go } }, testInfo) => {
  await expect(page.getByRole('link', { name: 'fixture' })).toBeVisible();
  await screenshot(page, testInfo, 'libraries');
  await expectAccessible(page, testInfo, 'libraries');

  await go('#/library/1/activity');
  await expect(page.getByRole('heading', { name: '3 files could not be read' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'truncated.jpg' })).toBeVisible();
  // The loss chart is a technical fact: behind Advanced.
  await expect(page.getByRole('img', { name: /Training losses per epoch/ })).toBeHidden();
  await page.getByText('Advanced: how the groups were made').click();
  await expect(page.getByRole('img', { name: /Training losses per epoch/ })).toBeVisible();
  await screenshot(page, testInfo, 'progress');
  await expectAccessible(page, testInfo, 'progress');

  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('radio', { name: 'Exactly' }).check();
  await page.getByRole('spinbutton', { name: 'Number of groups' }).fill('3');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Settings saved.')).toBeVisible();
  await screenshot(page, testInfo, 'settings');
  await expectAccessible(page, testInfo, 'settings');
});

test('groups overview: rename, merge, undo with the keyboard shortcut, history', async ({ ui: { page, go } }, testInfo) => {
  await go('#/library/1/groups');
  const cards = page.getByRole('list', { name: 'Groups', exact: true }).getByRole('listitem');
  await expect(cards).toHaveCount(3);
  await screenshot(page, testInfo, 'groups');
  await expectAccessible(page, testInfo, 'groups');

  await page.getByRole('button', { name: 'Rename Group 1' }).click();
  await page.getByRole('textbox', { name: 'New name for Group 1' }).fill('Planes');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Planes' })).toBeVisible();

  await page.getByRole('checkbox', { name: 'Select Group 2' }).check();
  await page.getByRole('checkbox', { name: 'Select Group 3' }).check();
  await page.getByRole('button', { name: 'Merge selected (2)' }).click();
  const dialog = page.getByRole('dialog', { name: 'Merge 2 groups' });
  await expect(dialog).toBeVisible();
  await expectAccessible(page, testInfo, 'merge-dialog');
  await dialog.getByRole('textbox', { name: 'Name of the merged group' }).fill('Animals and boats');
  await dialog.getByRole('button', { name: 'Merge' }).click();
  await expect(page.getByRole('heading', { name: 'Animals and boats', level: 2 })).toBeVisible(); // navigated to the merged group
  await expect(sidebarCount(page, 'Animals and boats')).toHaveText(/40$/);

  await page.keyboard.press('Control+z');
  await expect(page.getByRole('heading', { name: 'This group no longer exists' }).or(page.getByRole('heading', { name: 'Group 2', level: 2 }))).toBeVisible();
  await go('#/library/1/groups');
  await expect(cards).toHaveCount(3);
  await page.keyboard.press('Control+Shift+z');
  await expect(cards).toHaveCount(2);
  await page.keyboard.press('Control+z');
  await expect(cards).toHaveCount(3);

  await go('#/library/1/history');
  const entries = page.getByRole('list', { name: 'Edits, newest first' }).getByRole('listitem');
  await expect(entries).toHaveCount(2);
  await expect(entries.first()).toContainText('undone');
  await screenshot(page, testInfo, 'history');
  await expectAccessible(page, testInfo, 'history');
});

test('gallery: selection, keyboard, lightbox, drag and drop to another group', async ({ ui: { page, go } }, testInfo) => {
  await go('#/library/1/group/1');
  const grid = page.getByRole('grid', { name: 'Photos in Group 1' });
  await expect(grid.getByRole('gridcell').first()).toHaveAttribute('aria-label', /airplane-00000\.jpg/);
  const cells = grid.getByRole('gridcell');
  await expect(cells).toHaveCount(20);

  await cells.nth(0).click();
  await cells.nth(3).click({ modifiers: ['Shift'] });
  await expect(page.getByText('4 photos selected')).toBeVisible();
  await cells.nth(6).click({ modifiers: ['Control'] });
  await expect(page.getByText('5 photos selected')).toBeVisible();
  await expect(cells.nth(6)).toHaveAttribute('aria-selected', 'true');
  await screenshot(page, testInfo, 'gallery-selection');
  await expectAccessible(page, testInfo, 'gallery');

  // Keyboard: arrows move focus, Ctrl+A selects all, Escape clears, Space opens the lightbox.
  await grid.focus();
  await page.keyboard.press('Escape');
  await expect(page.getByText('Click, Shift-click')).toBeVisible();
  await page.keyboard.press('Home');
  await expect(grid).toHaveAttribute('aria-activedescendant', 'cell-0');
  await page.keyboard.press('ArrowRight');
  await expect(grid).toHaveAttribute('aria-activedescendant', 'cell-1');
  await page.keyboard.press('ArrowDown');
  const columns = Number(await grid.getAttribute('aria-colcount'));
  await expect(grid).toHaveAttribute('aria-activedescendant', `cell-${1 + columns}`);
  await page.keyboard.press('Control+a');
  await expect(page.getByText('20 photos selected')).toBeVisible();
  await page.keyboard.press('Escape');
  await page.keyboard.press('Space');
  const lightbox = page.getByRole('dialog');
  await expect(lightbox).toBeVisible();
  await expect(lightbox.getByText(`${2 + columns} of 20`)).toBeVisible();
  await expect(lightbox.getByText('airplane/')).toBeVisible();
  await page.keyboard.press('ArrowRight');
  await expect(lightbox.getByText(`${3 + columns} of 20`)).toBeVisible();
  await screenshot(page, testInfo, 'lightbox');
  await expectAccessible(page, testInfo, 'lightbox');
  await page.keyboard.press('Escape');
  await expect(lightbox).toBeHidden();
  await expect(grid).toBeFocused();

  // Rubber band from the empty space right of the last row's photos... then drag one photo onto Group 2.
  await cells.nth(0).click();
  await cells.nth(0).dragTo(page.locator('[data-drop-cluster="2"]'));
  await expect(sidebarCount(page, 'Group 2')).toHaveText(/21$/);
  await expect(cells).toHaveCount(19);
  await expect(page.getByRole('status').getByText(/Moved 1 photo to "Group 2"/)).toBeVisible();

  // ... and two more onto "new group".
  await cells.nth(0).click();
  await cells.nth(1).click({ modifiers: ['Shift'] });
  await cells.nth(1).dragTo(page.locator('[data-drop-cluster="new"]'));
  await expect(cells).toHaveCount(17);
  await expect(page.getByRole('navigation', { name: 'Library' }).getByRole('link')).toHaveCount(6 + 4);

  // Delete = "not this group": the photo leaves the group and shows up under "Not in a group".
  await cells.nth(0).click();
  const rejected = (await cells.nth(0).getAttribute('aria-label'))!.split(',')[0]!;
  await page.keyboard.press('Delete');
  await expect(cells).toHaveCount(16);
  await page.getByRole('link', { name: 'Not in a group' }).click();
  const loose = page.getByRole('grid', { name: 'Photos not in any group' }).getByRole('gridcell');
  await expect(loose).toHaveCount(1);
  await expect(loose.first()).toHaveAttribute('aria-label', new RegExp(`^${rejected.replace('.', '\\.')}`));
  await expectAccessible(page, testInfo, 'not-in-a-group');
});

test('rubber band selects the photos it covers', async ({ ui: { page, go } }) => {
  await go('#/library/1/group/3');
  const grid = page.getByRole('grid', { name: 'Photos in Group 3' });
  const cells = grid.getByRole('gridcell');
  await expect(cells).toHaveCount(20);
  const first = (await cells.nth(0).boundingBox())!;
  const second = (await cells.nth(1).boundingBox())!;
  // Start in the gap just above-left of the first photo's centre line, sweep across two photos.
  const gapX = first.x + first.width + (second.x - first.x - first.width) / 2;
  await page.mouse.move(gapX, first.y + 10);
  await page.mouse.down();
  await page.mouse.move(second.x + second.width / 2, first.y + first.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect(page.getByText('1 photo selected')).toBeVisible();
  await expect(cells.nth(1)).toHaveAttribute('aria-selected', 'true');
});

test('review unsure photos with one key each', async ({ ui: { page, go } }, testInfo) => {
  await go('#/library/1/review');
  await expect(page.getByRole('heading', { name: 'Review unsure photos' })).toBeVisible();
  const left = page.getByText(/photos left/);
  const before = Number((await left.textContent())!.match(/\d+/)![0]);
  await screenshot(page, testInfo, 'review');
  await expectAccessible(page, testInfo, 'review');
  await page.keyboard.press('a');
  await expect(left).toContainText(`${before - 1} photos left`);
  await page.keyboard.press('1');
  await expect(left).toContainText(`${before - 2} photos left`);
});

test('export: preview, run, open the folder', async ({ ui: { page, go } }, testInfo) => {
  await go('#/library/1/groups');
  await page.getByRole('button', { name: 'Export…' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Export groups to folders' });
  await expect(dialog.getByRole('checkbox', { name: /Group 1/ })).toBeChecked();
  await dialog.getByRole('textbox', { name: 'Destination folder' }).fill('/tmp/pc-export-target');
  await dialog.getByRole('button', { name: 'Preview' }).click();
  await expect(dialog.getByRole('table')).toContainText('Group 3');
  await expect(dialog.getByText(/Needs .* of space/)).toBeVisible();
  await screenshot(page, testInfo, 'export-preview');
  await expectAccessible(page, testInfo, 'export-dialog');
  await dialog.getByRole('button', { name: 'Export 60 photos' }).click();
  const done = page.getByRole('dialog', { name: 'Exporting' });
  await expect(done.getByText('Export finished.')).toBeVisible();
  await expect(done.getByText('60 files exported')).toBeVisible();
  await screenshot(page, testInfo, 'export-done');
  await done.getByRole('button', { name: 'Open folder' }).click();
  await done.getByRole('button', { name: 'Close' }).last().click();
  await expect(done).toBeHidden();
});

test('map: layout in a worker, lasso select and move', async ({ ui: { page, go } }, testInfo) => {
  await go('#/library/1/map');
  const canvas = page.getByRole('img', { name: /Map of 60 photos/ });
  await expect(canvas).toBeVisible({ timeout: 60_000 });
  await screenshot(page, testInfo, 'map');
  await expectAccessible(page, testInfo, 'map');
  const box = (await page.locator('.map-lasso').boundingBox())!;
  await page.mouse.move(box.x + 2, box.y + 2);
  await page.mouse.down();
  for (const [fx, fy] of [
    [0.98, 0.02],
    [0.98, 0.98],
    [0.02, 0.98],
    [0.02, 0.03],
  ]) {
    await page.mouse.move(box.x + box.width * fx!, box.y + box.height * fy!, { steps: 4 });
  }
  await page.mouse.up();
  await expect(page.getByText('60 photos selected')).toBeVisible();
  await page.getByRole('button', { name: /Select the 20 photos of Group 2/ }).click();
  await expect(page.getByText('20 photos selected')).toBeVisible();
  // Targets read "Group 1 — suggested: …" while the fixture's groups are unnamed and suggest a name.
  const moveTo = page.getByRole('combobox', { name: 'Move to' });
  await moveTo.selectOption((await moveTo.locator('option', { hasText: /^Group 1( — suggested: .+)?$/ }).getAttribute('value'))!);
  await page.getByRole('button', { name: 'Move', exact: true }).click();
  await expect(sidebarCount(page, 'Group 1')).toHaveText(/40$/);
});

test('dark theme follows the system', async ({ ui: { page, go } }, testInfo) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await go('#/library/1/groups');
  await expect(page.getByRole('list', { name: 'Groups', exact: true }).getByRole('listitem')).toHaveCount(3);
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(18, 19, 23)');
  await screenshot(page, testInfo, 'groups-dark');
  await expectAccessible(page, testInfo, 'groups-dark');
});
