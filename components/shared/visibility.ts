/**
 * Whether a piece of text is really on screen for the user: the check the enroll element makes on
 * the SMS opt-in disclosure before it sends a code (carriers require the disclosure on the screen
 * where the phone is entered, and a tenant's CSS can hide it through `::part(disclosure)`).
 */

/** Text smaller than this is not read. */
const MIN_FONT_PX = 10;
/** WCAG AA for body text. */
export const MIN_TEXT_CONTRAST = 4.5;

type Rgba = [number, number, number, number];

/**
 * Why `text` is not visibly shown beside `field`, in words for the developer; undefined when it
 * is: rendered (not `display: none`, `visibility: hidden`, `content-visibility`), not
 * transparent, of a size, on the page, not covered, beside the field, and readable (contrast of
 * at least 4.5:1 against what is behind it).
 */
export function visibilityProblem(text: HTMLElement, field: HTMLElement): string | undefined {
  if (!text.isConnected || !(text.textContent ?? '').trim()) return 'it is not in the page';
  if (!text.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) {
    return 'it is not rendered (display: none, visibility: hidden or opacity: 0 on it or a parent)';
  }
  const style = getComputedStyle(text);
  const opacity = effectiveOpacity(text);
  if (opacity < 0.2) return `it is nearly transparent (opacity ${opacity.toFixed(2)})`;
  const rect = text.getBoundingClientRect();
  if (rect.width < 1 || rect.height < 1) return 'it has no size';
  if (parseFloat(style.fontSize) < MIN_FONT_PX) return `its text is too small (${style.fontSize})`;
  const page = document.documentElement;
  if (rect.right + scrollX <= 0 || rect.bottom + scrollY <= 0 || rect.left + scrollX >= Math.max(page.scrollWidth, innerWidth)) {
    return 'it is positioned off the page';
  }
  if (style.clipPath !== 'none' || (style.clip && style.clip !== 'auto')) return 'it is clipped (clip-path or clip)';
  const covering = topmostAt(text, rect);
  if (covering) return `it is covered by <${covering.localName}>`;
  const near = field.getBoundingClientRect();
  const gap = Math.max(rect.top - near.bottom, near.top - rect.bottom, 0);
  const overlapsHorizontally = rect.left < near.right && rect.right > near.left;
  if (gap > Math.max(3 * near.height, 160) || !overlapsHorizontally) return 'it is not beside the phone field';
  const color = parseColor(style.color);
  const background = backgroundBehind(text);
  if (color && background) {
    const shown = mix(blend(color, background), background, opacity);
    const ratio = contrast(shown, background);
    if (ratio < MIN_TEXT_CONTRAST) return `its contrast is ${ratio.toFixed(2)}:1 (at least ${MIN_TEXT_CONTRAST}:1)`;
  }
  return undefined;
}

/** The element drawn on top at the middle of `text`, when it is something else (an overlay); only inside the viewport. */
function topmostAt(text: HTMLElement, rect: DOMRect): Element | undefined {
  const x = rect.left + rect.width / 2;
  const y = rect.top + Math.min(rect.height / 2, 8);
  if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) return undefined;
  const root = text.getRootNode() as Document | ShadowRoot;
  const top = root.elementFromPoint(x, y);
  if (!top || text.contains(top)) return undefined;
  // The point may land on an ancestor (the padding of a wrapper, the host of the shadow tree): not a cover.
  for (let at: Element | null = text; at; at = parentOf(at)) if (at === top) return undefined;
  return top;
}

/** The parent in the flat tree as far as styles go: across shadow roots to their host. */
function parentOf(element: Element): Element | null {
  return element.parentElement ?? ((element.getRootNode() as ShadowRoot).host ?? null);
}

function effectiveOpacity(element: Element): number {
  let opacity = 1;
  for (let at: Element | null = element; at; at = parentOf(at)) opacity *= Number(getComputedStyle(at).opacity);
  return opacity;
}

/** The colour behind `element`: its own and its ancestors' backgrounds composited; white (the canvas) below. Undefined under an image. */
function backgroundBehind(element: Element): Rgba | undefined {
  const layers: Rgba[] = [];
  for (let at: Element | null = element; at; at = parentOf(at)) {
    const style = getComputedStyle(at);
    if (style.backgroundImage !== 'none') return undefined;
    const color = parseColor(style.backgroundColor);
    if (color && color[3] > 0) {
      layers.push(color);
      if (color[3] >= 1) break;
    }
  }
  return layers.reduceRight<Rgba>((below, layer) => blend(layer, below), [255, 255, 255, 1]);
}

/** `rgb()`, `rgba()` and `color(srgb …)` as computed styles give them. */
function parseColor(value: string): Rgba | undefined {
  const rgb = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:[\s,/]+([\d.]+%?))?\s*\)$/.exec(value);
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3]), alpha(rgb[4])];
  const srgb = /^color\(srgb\s+([\d.e-]+)\s+([\d.e-]+)\s+([\d.e-]+)(?:\s*\/\s*([\d.]+%?))?\s*\)$/.exec(value);
  if (srgb) return [Number(srgb[1]) * 255, Number(srgb[2]) * 255, Number(srgb[3]) * 255, alpha(srgb[4])];
  return undefined;
}

function alpha(value: string | undefined): number {
  if (value === undefined) return 1;
  return value.endsWith('%') ? parseFloat(value) / 100 : Number(value);
}

/** `top` painted over the opaque `below`. */
function blend(top: Rgba, below: Rgba): Rgba {
  const a = top[3];
  return [0, 1, 2].map((i) => top[i]! * a + below[i]! * (1 - a)).concat(1) as Rgba;
}

/** `color` faded towards `background` by the opacity of its layer. */
function mix(color: Rgba, background: Rgba, opacity: number): Rgba {
  return blend([color[0], color[1], color[2], opacity], background);
}

/** WCAG 2 contrast ratio of two opaque colours. */
export function contrast(a: Rgba | [number, number, number], b: Rgba | [number, number, number]): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light! + 0.05) / (dark! + 0.05);
}

function luminance([r, g, b]: readonly number[]): number {
  const channel = (value: number) => {
    const c = value / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r!) + 0.7152 * channel(g!) + 0.0722 * channel(b!);
}
