/**
 * Issue 14, problem 5 ("Groups are all 'Group N'"): a group nobody has named shows the name its photos suggest, in
 * plain words, taken with one click; it is an ordinary rename, so Undo gives the old name back and the suggestion
 * shows again. Against the contract double, whose groups carry the suggestions the service's naming step records.
 */
import { expect } from '@playwright/test';
import { expectAccessible, screenshot } from './helpers.js';
import { uiTest as test } from './support/uiFixture.js';

test.use({ viewport: { width: 1440, height: 900 } });

test('5 · an unnamed group shows its suggested name; one click uses it and Undo brings the old name back', async ({ ui: { page, go } }, testInfo) => {
  await go('#/library/1/groups');
  const cards = page.getByRole('list', { name: 'Groups', exact: true }).getByRole('listitem');
  await expect(cards).toHaveCount(3);
  await expect(cards.filter({ hasText: 'Group 1' })).toContainText('Suggested name: Planes');
  // No machine-learning words next to it.
  await expect(cards.first()).not.toContainText(/ImageNet|classifier/i);
  await expectAccessible(page, testInfo, 'groups-suggested-names');
  await screenshot(page, testInfo, 'groups-suggested-names');

  await go('#/library/1/group/1');
  const header = page.locator('.group-view .view-header');
  await expect(header.getByRole('heading', { name: 'Group 1', level: 2 })).toBeVisible();
  await expect(header).toContainText('Suggested name: Planes');
  await screenshot(page, testInfo, 'group-suggested-name');
  await header.getByRole('button', { name: 'Use the name Planes for Group 1' }).click();

  await expect(header.getByRole('heading', { name: 'Planes', level: 2 })).toBeVisible();
  await expect(header).not.toContainText('Suggested name');
  await screenshot(page, testInfo, 'group-suggested-name-used');

  await page.keyboard.press('Control+z');
  await expect(header.getByRole('heading', { name: 'Group 1', level: 2 })).toBeVisible();
  await expect(header).toContainText('Suggested name: Planes');

  // Typing a name of one's own works as before, and the suggestion goes.
  await header.getByRole('button', { name: 'Rename Group 1' }).click();
  await page.getByRole('textbox', { name: 'New name for Group 1' }).fill('Air show 2024');
  await page.keyboard.press('Enter');
  await expect(header.getByRole('heading', { name: 'Air show 2024', level: 2 })).toBeVisible();
  await expect(header).not.toContainText('Suggested name');
});
