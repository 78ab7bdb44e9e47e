import { type Browser } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { foreignWords } from '../support/screen-language';

// The check every staff walk makes: Latin on a screen is a defect, but what a citizen wrote is data (a messenger
// name «andrey_smirn1» on the card failed a supervisor's day in CI on 6 December).
describe("foreignWords (the staff screens' language check)", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser.close());

  it('finds Latin words and codes, but not file types, addresses or what a citizen wrote', async () => {
    const page = await browser.newPage();
    await page.setContent(`<main>
      <p>Статус: in_progress · PDF, 2 МБ · ivanov@mail.test · Заявитель</p>
      <p data-citizen-data>andrey_smirn1</p>
      <p>Канал Telegram</p>
    </main>`);
    expect(await foreignWords(page)).toEqual([expect.stringMatching(/^in_progress /)]);
    await page.setContent('<p>Заявитель andrey_smirn1</p>');
    expect(await foreignWords(page)).toEqual([expect.stringMatching(/^andrey_smirn /)]);
    await page.close();
  });
});
