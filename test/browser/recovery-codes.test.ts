import { expect, fixture, html } from '@open-wc/testing';
import '../../components/aldero-recovery-codes.ts';
import type { AlderoRecoveryCodes } from '../../components/aldero-recovery-codes.ts';
import { part, shadow } from './helpers.ts';

const CODES = ['6dca-d1dd', 'd417-fa55', '0a1b-2c3d', '4e5f-6a7b', '8c9d-0e1f', 'aa11-bb22', 'cc33-dd44', 'ee55-ff66', '1234-abcd', '9f8e-7d6c'];

async function mount(lang?: string): Promise<AlderoRecoveryCodes> {
  return fixture<AlderoRecoveryCodes>(
    html`<aldero-recovery-codes brand="Acme" lang=${lang ?? 'en'} .codes=${[...CODES]}></aldero-recovery-codes>`,
  );
}

describe('<aldero-recovery-codes>', () => {
  it('shows every code once, in the code-list part, and is accessible', async () => {
    const element = await mount();
    const codes = [...shadow(element).querySelectorAll('[part~="code"]')].map((node) => node.textContent);
    expect(codes).to.deep.equal(CODES);
    expect(part(element, '[part~="code-list"]').localName).to.equal('ol');
    expect(part(element, 'h2').textContent).to.equal('Save your recovery codes');
    await expect(element).to.be.accessible();
  });

  it('copies all the codes, one per line', async () => {
    const element = await mount();
    let copied: string | undefined;
    const original = navigator.clipboard.writeText;
    navigator.clipboard.writeText = async (text: string) => {
      copied = text;
    };
    try {
      part<HTMLButtonElement>(element, '[part~="copy-button"]').click();
      await new Promise((resolve) => setTimeout(resolve));
      await element.updateComplete;
      expect(copied).to.equal(CODES.join('\n'));
      expect(part(element, '[role="status"]').textContent).to.contain('copied');
    } finally {
      navigator.clipboard.writeText = original;
    }
  });

  it('says so when copying fails', async () => {
    const element = await mount();
    const original = navigator.clipboard.writeText;
    navigator.clipboard.writeText = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
    try {
      part<HTMLButtonElement>(element, '[part~="copy-button"]').click();
      await new Promise((resolve) => setTimeout(resolve));
      await element.updateComplete;
      expect(part(element, '[role="status"]').textContent).to.contain('Copying failed');
    } finally {
      navigator.clipboard.writeText = original;
    }
  });

  it('downloads a .txt file named after the brand, holding the codes', async () => {
    const element = await mount();
    let blob: Blob | undefined;
    let downloadName: string | undefined;
    const createObjectURL = URL.createObjectURL;
    const click = HTMLAnchorElement.prototype.click;
    URL.createObjectURL = (object: Blob | MediaSource) => {
      blob = object as Blob;
      return createObjectURL(object);
    };
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
      downloadName = this.download;
    };
    try {
      part<HTMLButtonElement>(element, '[part~="download-button"]').click();
    } finally {
      URL.createObjectURL = createObjectURL;
      HTMLAnchorElement.prototype.click = click;
    }
    expect(downloadName).to.equal('acme-recovery-codes.txt');
    expect(blob?.type).to.equal('text/plain');
    const text = await blob!.text();
    expect(text).to.contain('Acme recovery codes');
    for (const code of CODES) expect(text).to.contain(code);
  });

  it('prints only the codes, from a frame that is gone once they are saved', async () => {
    const element = await mount();
    const frames: HTMLIFrameElement[] = [];
    const observer = new MutationObserver((mutations) =>
      mutations.forEach((mutation) => mutation.addedNodes.forEach((node) => node instanceof HTMLIFrameElement && frames.push(node))),
    );
    observer.observe(shadow(element), { childList: true });
    part<HTMLButtonElement>(element, '[part~="print-button"]').click();
    await new Promise((resolve) => setTimeout(resolve));
    observer.disconnect();
    expect(frames).to.have.length(1);
    for (const code of CODES) expect(frames[0].srcdoc).to.contain(code);
    expect(frames[0].srcdoc).to.contain('Acme recovery codes');
    part<HTMLButtonElement>(element, '[part~="acknowledge"]').click();
    await element.updateComplete;
    expect(frames[0].isConnected).to.equal(false);
  });

  it('shows new codes again after an acknowledgment (regenerated codes)', async () => {
    const element = await mount();
    part<HTMLButtonElement>(element, '[part~="acknowledge"]').click();
    await element.updateComplete;
    element.codes = ['ffff-0000'];
    await element.updateComplete;
    expect(part(element, '[part~="code"]').textContent).to.equal('ffff-0000');
  });

  it('speaks Spanish with lang="es", and any string can be overridden', async () => {
    const element = await mount('es');
    expect(part(element, 'h2').textContent).to.equal('Guarda tus códigos de recuperación');
    expect(part(element, '[part~="acknowledge"]').textContent?.trim()).to.equal('He guardado estos códigos');
    element.strings = { acknowledge: 'Listo' };
    await element.updateComplete;
    expect(part(element, '[part~="acknowledge"]').textContent?.trim()).to.equal('Listo');
  });

  it('follows the page language when it has none of its own', async () => {
    const wrapper = await fixture<HTMLDivElement>(
      html`<div lang="de"><aldero-recovery-codes .codes=${[...CODES]}></aldero-recovery-codes></div>`,
    );
    const element = wrapper.querySelector('aldero-recovery-codes')!;
    await element.updateComplete;
    expect(part(element, 'h2').textContent).to.equal('Speichern Sie Ihre Wiederherstellungscodes');
  });

  it('is themed through ::part and --aldero-* custom properties only', async () => {
    const wrapper = await fixture<HTMLDivElement>(html`
      <div>
        <style>
          .dark {
            --aldero-color-primary: rgb(250, 204, 21);
            --aldero-color-primary-contrast: rgb(17, 24, 39);
            --aldero-color-background: rgb(17, 24, 39);
            --aldero-color-surface: rgb(31, 41, 55);
            --aldero-color-text: rgb(243, 244, 246);
            --aldero-color-muted: rgb(209, 213, 219);
            --aldero-color-border: rgb(75, 85, 99);
            --aldero-radius: 0px;
          }
          aldero-recovery-codes::part(code) {
            color: rgb(134, 239, 172);
          }
        </style>
        <aldero-recovery-codes class="dark" .codes=${[...CODES]}></aldero-recovery-codes>
      </div>
    `);
    const element = wrapper.querySelector('aldero-recovery-codes')!;
    await element.updateComplete;
    const acknowledge = getComputedStyle(part(element, '[part~="acknowledge"]'));
    expect(acknowledge.backgroundColor).to.equal('rgb(250, 204, 21)');
    expect(acknowledge.color).to.equal('rgb(17, 24, 39)');
    expect(acknowledge.borderTopLeftRadius).to.equal('0px');
    expect(getComputedStyle(part(element, '[part~="base"]')).backgroundColor).to.equal('rgb(17, 24, 39)');
    expect(getComputedStyle(part(element, '[part~="code-list"]')).backgroundColor).to.equal('rgb(31, 41, 55)');
    expect(getComputedStyle(part(element, '[part~="code"]')).color).to.equal('rgb(134, 239, 172)');
    await expect(element).to.be.accessible();
  });

  it('renders nothing without codes', async () => {
    const element = await fixture<AlderoRecoveryCodes>(html`<aldero-recovery-codes></aldero-recovery-codes>`);
    expect(shadow(element).querySelector('[part~="base"]')).to.equal(null);
  });
});
