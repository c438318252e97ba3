/** Keyboard only, on the real service: through the navigation, into a group, around its photos, the lightbox. */
import { ensureGrouped, expect, test } from './fixtures.js';
import type { Page } from '@playwright/test';

async function tabTo(page: Page, predicate: () => Promise<boolean>, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await predicate()) return;
  }
  throw new Error('the element was not reachable with Tab');
}

test('groups and photos can be reached and used with the keyboard alone', async ({ appPage: page, service }) => {
  test.setTimeout(20 * 60_000);
  await ensureGrouped(page, service);
  await page.goto(service.launchUrl);
  await expect(page.getByRole('heading', { name: 'Libraries', exact: true })).toBeVisible();

  const library = page.locator('.library-card h4 a').first();
  await tabTo(page, () => library.evaluate((el) => el === document.activeElement));
  await page.keyboard.press('Enter');
  const groupsLink = page.getByRole('navigation', { name: 'Library' }).getByRole('link', { name: 'Groups', exact: true });
  await tabTo(page, () => groupsLink.evaluate((el) => el === document.activeElement));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Groups', exact: true })).toBeVisible();

  const open = page.getByRole('list', { name: 'Groups', exact: true }).getByRole('link', { name: /^Open .*photos$/ }).first();
  await tabTo(page, () => open.evaluate((el) => el === document.activeElement));
  await page.keyboard.press('Enter');
  const grid = page.getByRole('grid');
  await tabTo(page, () => grid.evaluate((el) => el === document.activeElement));
  await expect(grid).toHaveAttribute('aria-activedescendant', 'cell-0');
  await page.keyboard.press('ArrowRight');
  await expect(grid).toHaveAttribute('aria-activedescendant', 'cell-1');
  await page.keyboard.press('Shift+ArrowRight');
  await expect(page.getByText('2 photos selected')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByText('2 photos selected')).toBeHidden();
  await page.keyboard.press('Enter');
  const lightbox = page.getByRole('dialog');
  await expect(lightbox.getByText(/^3 of \d+$/)).toBeVisible();
  await page.keyboard.press('ArrowLeft');
  await expect(lightbox.getByText(/^2 of \d+$/)).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(lightbox).toBeHidden();
  await expect(grid).toBeFocused();
  await page.keyboard.press('Control+a');
  await expect(page.getByText(/\d+ photos selected/)).toBeVisible();
});
