/**
 * Issue 14: the app as a first-time user meets it. One test per problem the issue lists (merge/split pins are checked
 * on the real service in library.spec.ts and in core/service/edits.test.ts; suggested names in suggestedNames.spec.ts), plus
 * screenshots of every screen at 1440×900 in light and in dark, kept as test artifacts.
 */
import { expect, type Page } from '@playwright/test';
import { expectAccessible, screenshot } from './helpers.js';
import { uiTest } from './support/uiFixture.js';

const test = uiTest;

// Every screenshot of this spec at the size the issue asks for.
test.use({ viewport: { width: 1440, height: 900 } });

const stageStates = (page: Page) => page.locator('.phases [data-stage] .phase-state').allTextContents();

test('1 · progress is true: plain stages, passes not steps, never done early, and the end shows the groups', async ({ ui: { page, go } }, testInfo) => {
  await go('#/library/1/activity');
  await page.getByRole('button', { name: 'Group again…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Group again' });
  await expect(dialog.getByText('Photos you moved by hand stay where you put them.')).toBeVisible();
  await expect(dialog.getByText(/merging and splitting do not fix photos in place/)).toBeVisible();
  await dialog.getByRole('radio', { name: /Exactly/ }).check();
  await dialog.getByRole('spinbutton', { name: 'Number of groups' }).fill('3');
  await expectAccessible(page, testInfo, 'group-again-dialog');
  await screenshot(page, testInfo, 'group-again-dialog');
  await dialog.getByRole('button', { name: 'Start' }).click();
  await expect(dialog).toBeHidden();

  // Sample the stages until the run lands on the groups: never all done before then, never backwards.
  const order = ['not started', 'waiting', 'in progress', 'done'];
  const seen: string[][] = [];
  const passes = new Set<string>();
  let sawLearning = false;
  let shotPass = false;
  while (page.url().includes('/activity')) {
    const states = await stageStates(page).catch(() => []);
    if (states.length === 3) {
      if (seen.length) {
        const before = seen.at(-1)!;
        states.forEach((s, i) => expect(order.indexOf(s), `stage ${i}: ${before[i]} → ${s}`).toBeGreaterThanOrEqual(order.indexOf(before[i]!) === 3 ? 3 : 0));
      }
      seen.push(states);
      const detail = await page.locator('.stage-detail').allTextContents().catch(() => []);
      for (const d of detail) if (d.startsWith('Pass')) passes.add(d);
      // Screenshot once a pass shows, not at the stage's start: on a loaded machine the screenshot can take until the
      // run's end, and taken before any pass was sampled it left none to check.
      if (states[1] === 'in progress' && !sawLearning) {
        sawLearning = true;
        await expect(page.locator('.job-indicator')).toContainText('Learning what is in them');
      }
      if (passes.size > 0 && !shotPass) {
        shotPass = true;
        await screenshot(page, testInfo, 'progress-learning');
      }
    }
    await page.waitForTimeout(40);
  }
  await expect(page).toHaveURL(/#\/library\/1\/groups$/);
  expect(sawLearning).toBe(true);
  // While anything ran, at least one stage was not done; the labels are the plain ones. (Any sample counts: on a
  // loaded machine the screenshot above can take until the run's end, leaving a single sample before the groups.)
  expect(seen.some((s) => s.some((x) => x !== 'done'))).toBe(true);
  for (const p of passes) expect(p).toMatch(/^Pass [1-6] of 6 over your photos$/);
  expect(passes.size).toBeGreaterThan(0);

  // The chart (behind Advanced) counts epochs: its last x tick is the number of passes, not of steps.
  await go('#/library/1/activity');
  await page.getByText('Advanced: how the groups were made').click();
  await screenshot(page, testInfo, 'progress-advanced');
  const ticks = await page.locator('.chart-svg text.tick').allTextContents();
  expect(Math.max(...ticks.map(Number).filter(Number.isFinite))).toBeLessThanOrEqual(12);
});

test('3 · plain language by default; technical facts only under Advanced or Details', async ({ ui: { page, go } }) => {
  const jargon = /Extract features|Train the model|\bepoch|\bloss\b|Pseudo-label|Mutual information|backbone|libtensorflow|SHA-256|Dry run|VipsJpeg|wasm/i;
  const visibleJargon = async () =>
    page.evaluate((src) => {
      const re = new RegExp(src, 'i');
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      const hits: string[] = [];
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement!;
        if (!re.test(n.textContent ?? '')) continue;
        if (el.closest('details:not([open])') || el.closest('summary') || el.closest('option') || !el.getClientRects().length) continue;
        hits.push(n.textContent!.trim());
      }
      return hits;
    }, jargon.source);
  await go('#/library/1/activity');
  await expect(page.getByRole('heading', { name: '3 files could not be read' })).toBeVisible();
  await expect(page.locator('[data-stage="read"] .phase-label')).toHaveText('Reading photos');
  expect(await visibleJargon()).toEqual([]);
  await go('#/settings');
  await expect(page.getByRole('button', { name: 'Save settings' })).toBeVisible();
  expect(await visibleJargon()).toEqual([]);
  await go('#/library/1/group/1');
  await page.getByRole('grid').getByRole('gridcell').first().dblclick();
  await expect(page.getByRole('dialog')).toBeVisible();
  expect(await visibleJargon()).toEqual([]);
  await page.getByRole('dialog').getByText('Advanced', { exact: true }).click();
  await expect(page.getByText('Content fingerprint (SHA-256)')).toBeVisible();
});

test('4 · the end of a run shows the groups first: "See the groups" is the primary action', async ({ ui: { page, go } }) => {
  await go('#/library/1/activity');
  await expect(page.getByRole('link', { name: 'See the groups' })).toHaveClass(/primary/);
  await expect(page.getByRole('button', { name: 'Group again…' })).not.toHaveClass(/primary/);
});

test('a Re-scan ends "Done" with what it found, not with grouping stages that never start', async ({ ui: { page, go } }, testInfo) => {
  await go('#/library/1/activity');
  await page.getByRole('button', { name: 'Re-scan folder' }).click();
  await expect(page.getByRole('heading', { name: 'Done' })).toBeVisible();
  expect(await stageStates(page)).toEqual(['done']);
  await expect(page.locator('.rescan-summary')).toHaveText('No new photos in the folder. 3 files could not be read (listed below).');
  await expect(page.getByText('Learning what is in them')).toHaveCount(0);
  // Still on the Progress page: a Re-scan is not a grouping, so nothing jumps to the groups.
  await expect(page).toHaveURL(/#\/library\/1\/activity$/);
  await expectAccessible(page, testInfo, 'progress-rescan-done');
  await screenshot(page, testInfo, 'progress-rescan-done');
});

test('6 · "Group again" asks first, and Cancel starts nothing', async ({ ui: { page, go } }) => {
  await go('#/library/1/activity');
  const before = await page.locator('details.card summary', { hasText: 'All jobs' }).textContent();
  await page.getByRole('button', { name: 'Group again…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Group again' });
  await expect(dialog.getByRole('radio', { name: /Automatic/ })).toBeChecked();
  await expect(dialog.getByText(/renamed keep their names/)).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await page.waitForTimeout(300);
  await expect(page.locator('details.card summary', { hasText: 'All jobs' })).toHaveText(before!);
  await expect(page.locator('.job-indicator')).toHaveCount(0);
});

test('7 · a hidden group is hidden everywhere: review, map, move targets; export labels it', async ({ ui: { page, go } }) => {
  await go('#/library/1/groups');
  await page.getByRole('button', { name: 'Hide Group 1' }).click();
  // The way back is in the toolbar, above the fold.
  const showHidden = page.getByRole('button', { name: 'Show hidden groups (1)' });
  await expect(showHidden).toBeInViewport();
  await go('#/library/1/review');
  await expect(page.getByRole('heading', { level: 2 }).first()).toBeVisible();
  await expect(page.getByText(/Group 1/)).toHaveCount(0);
  await expect(page.locator('img[alt^="airplane-"]')).toHaveCount(0);
  await go('#/library/1/map');
  await expect(page.getByRole('button', { name: /Select the \d+ photos of Group 2/ })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('button', { name: /photos of Group 1/ })).toHaveCount(0);
  await expect(page.getByText('1 hidden group not shown.')).toBeVisible();
  await go('#/library/1/group/2');
  await page.getByRole('grid').getByRole('gridcell').first().click();
  await expect(page.getByRole('combobox', { name: 'Move to' })).toBeVisible();
  await expect(page.locator('.selection-bar option', { hasText: 'Group 1' })).toHaveCount(0);
  await go('#/library/1/groups');
  await page.getByRole('button', { name: 'Export…' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Export groups to folders' });
  await expect(dialog.getByText('(20, hidden)')).toBeVisible();
  await expect(dialog.getByRole('checkbox', { name: /Group 1/ })).not.toBeChecked();
});

test('8 · toasts: one at a time, gone by themselves, never over the photos or the selection', async ({ ui: { page, go } }) => {
  await go('#/library/1/groups');
  await page.getByRole('button', { name: 'Rename Group 1' }).click();
  await page.getByRole('textbox', { name: 'New name for Group 1' }).fill('Planes');
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Rename Group 2' }).click();
  await page.getByRole('textbox', { name: 'New name for Group 2' }).fill('Frogs');
  await page.keyboard.press('Enter');
  const toasts = page.locator('.notices .notice');
  await expect(toasts).toHaveCount(1);
  await expect(toasts).toContainText('Frogs');
  await go('#/library/1/group/1');
  const grid = page.getByRole('grid');
  await grid.getByRole('gridcell').first().click();
  await page.getByRole('button', { name: 'Hide group' }).click();
  // The rename's notice may still be up; measure the one the hide put there.
  await expect(toasts).toContainText(/^Hid .Planes./);
  await expect(toasts).toHaveCount(1);
  const toast = (await toasts.boundingBox())!;
  for (const box of [await grid.boundingBox(), await page.locator('.selection-bar').first().boundingBox()]) {
    const b = box!;
    const overlaps = toast.x < b.x + b.width && b.x < toast.x + toast.width && toast.y < b.y + b.height && b.y < toast.y + toast.height;
    expect(overlaps).toBe(false);
  }
  await expect(toasts).toHaveCount(0, { timeout: 8_000 });
});

test('9 · map: distinct colour-blind-safe colours, a thumbnail on hover, zoom and pan', async ({ ui: { page, go } }, testInfo) => {
  await go('#/library/1/map');
  const legend = page.locator('.map-legend .swatch');
  await expect(legend).toHaveCount(3, { timeout: 60_000 });
  const colours = await legend.evaluateAll((els) => els.map((e) => e.getAttribute('data-colour')));
  expect(new Set(colours).size).toBe(3);
  expect(colours).toEqual(['#0072B2', '#E69F00', '#009E73']);
  const surface = page.getByTestId('map-surface');
  const box = (await surface.boundingBox())!;
  // Sweep until a point is under the pointer: its thumbnail and group show.
  let shown = false;
  for (let y = box.y + 20; y < box.y + box.height - 20 && !shown; y += 12) {
    for (let x = box.x + 20; x < box.x + box.width - 20 && !shown; x += 12) {
      await page.mouse.move(x, y);
      shown = await page.getByTestId('map-hover').isVisible();
    }
  }
  expect(shown).toBe(true);
  await expect(page.getByTestId('map-hover').locator('img')).toHaveAttribute('alt', /^Photo in Group \d$/);
  await screenshot(page, testInfo, 'map-hover');
  await page.getByRole('button', { name: 'Zoom in' }).click();
  await expect(page.getByRole('button', { name: 'Zoom out' })).toBeEnabled();
  await page.getByRole('button', { name: 'Drag to move the map' }).click();
  await page.mouse.move(box.x + 300, box.y + 300);
  await page.mouse.down();
  await page.mouse.move(box.x + 200, box.y + 250, { steps: 4 });
  await page.mouse.up();
  await page.getByRole('button', { name: 'Show all' }).click();
  await expect(page.getByRole('button', { name: 'Zoom out' })).toBeDisabled();
});

test('10 · browse explains its limit, export sizes say the photos\' size, light/dark switch, alt text', async ({ ui: { page, go } }) => {
  await page.getByRole('button', { name: 'Browse…' }).click();
  const browser = page.getByRole('dialog', { name: 'Choose a folder of photos' });
  await expect(browser.getByText(/shows only folders inside/)).toBeVisible();
  await browser.getByRole('button', { name: 'Close' }).click();

  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.getByRole('combobox', { name: 'Colour theme' }).selectOption('dark');
  expect(await bg()).toBe('rgb(18, 19, 23)');
  await page.reload();
  await expect(page.getByRole('combobox', { name: 'Colour theme' })).toHaveValue('dark');
  expect(await bg()).toBe('rgb(18, 19, 23)');
  await page.getByRole('combobox', { name: 'Colour theme' }).selectOption('light');
  expect(await bg()).toBe('rgb(246, 246, 248)');

  await go('#/library/1/groups');
  await expect(page.locator('.group-card img').first()).toBeVisible();
  await go('#/library/1/group/1');
  await expect(page.getByRole('grid').locator('img').first()).toBeVisible();
  const empty = await page.locator('img').evaluateAll((imgs) => imgs.filter((i) => !(i.getAttribute('alt') ?? '').trim()).length);
  expect(empty).toBe(0);
});

const SCREENS: Array<[string, string]> = [
  ['libraries', '#/'],
  ['progress', '#/library/1/activity'],
  ['groups', '#/library/1/groups'],
  ['group', '#/library/1/group/1'],
  ['review', '#/library/1/review'],
  ['map', '#/library/1/map'],
  ['history', '#/library/1/history'],
  ['ungrouped', '#/library/1/ungrouped'],
  ['settings', '#/settings'],
];

for (const theme of ['light', 'dark'] as const) {
  test(`every screen at 1440×900 in ${theme}, axe clean`, async ({ ui: { page, go } }, testInfo) => {
    test.setTimeout(180_000);
    await page.emulateMedia({ colorScheme: theme });
    for (const [name, hash] of SCREENS) {
      await go(hash);
      await expect(page.locator('main .loading')).toHaveCount(0, { timeout: 60_000 });
      if (name === 'map') await expect(page.locator('.map-legend .swatch').first()).toBeVisible({ timeout: 60_000 });
      await page.waitForTimeout(200);
      await screenshot(page, testInfo, `${theme}-${name}`);
      await expectAccessible(page, testInfo, `${theme}-${name}`);
    }
  });
}
