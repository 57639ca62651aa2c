/**
 * Languages load on demand: English is in the bundle, every other language is a module of its own
 * imported the first time an element shows it. Until it arrives the element speaks English;
 * `updateComplete` waits for it.
 */
import { expect, fixture, html } from '@open-wc/testing';
import '../../components/aldero-recovery-codes.ts';
import type { AlderoRecoveryCodes } from '../../components/aldero-recovery-codes.ts';
import { part } from './helpers.ts';

const CODES = ['6dca-d1dd', 'd417-fa55'];

/** The locale modules the page has fetched so far (`messages/fr.ts`, ...). */
const fetchedLocales = () =>
  performance
    .getEntriesByType('resource')
    .map((entry) => /\/messages\/(\w+)\.ts/.exec(entry.name)?.[1])
    // English is part of each element (a module of its own only in this unbundled test page).
    .filter((lang) => lang !== undefined && lang !== 'en');

/** Mounts the element, recording its heading after every render. */
async function mountRecording(lang: string): Promise<{ element: AlderoRecoveryCodes; headings: string[] }> {
  const element = document.createElement('aldero-recovery-codes');
  const headings: string[] = [];
  element.addController({ hostUpdated: () => headings.push(part(element, 'h2').textContent ?? '') });
  element.lang = lang;
  element.codes = [...CODES];
  await fixture(html`<div>${element}</div>`);
  await element.updateComplete;
  return { element, headings };
}

describe('languages on demand', () => {
  it('an English page fetches no other language, nor does a language the elements do not speak', async () => {
    const english = await fixture<AlderoRecoveryCodes>(
      html`<aldero-recovery-codes lang="en" .codes=${[...CODES]}></aldero-recovery-codes>`,
    );
    const portuguese = await fixture<AlderoRecoveryCodes>(
      html`<aldero-recovery-codes lang="pt-BR" .codes=${[...CODES]}></aldero-recovery-codes>`,
    );
    expect(part(english, 'h2').textContent).to.equal('Save your recovery codes');
    expect(part(portuguese, 'h2').textContent).to.equal('Save your recovery codes');
    expect(fetchedLocales()).to.deep.equal([]);
  });

  it('fetches a language the first time it is shown, in English until it arrives', async () => {
    const { element, headings } = await mountRecording('fr-CA');
    expect(headings[0]).to.equal('Save your recovery codes');
    expect(headings.at(-1)).to.equal('Conservez vos codes de récupération');
    expect(fetchedLocales()).to.deep.equal(['fr']);
    await expect(element).to.be.accessible();
  });

  it('a language already fetched is shown from the first render, without fetching it again', async () => {
    const { headings } = await mountRecording('fr');
    expect(headings).to.deep.equal(['Conservez vos codes de récupération']);
    expect(fetchedLocales()).to.deep.equal(['fr']);
  });

  it('follows a change of lang', async () => {
    const { element } = await mountRecording('en');
    element.lang = 'de';
    await element.updateComplete;
    expect(part(element, 'h2').textContent).to.equal('Speichern Sie Ihre Wiederherstellungscodes');
    expect(fetchedLocales()).to.deep.equal(['fr', 'de']);
  });
});
