/** Series colours: distinct in hue and lightness, each ≥ 3:1 against the white chart background. */
export const SERIES_COLOURS = ['#1f6fb2', '#d1495b', '#2a9d6f', '#8e5ac8', '#c77c02', '#0f8b8d', '#6b4e16', '#b8336a', '#4d6a8a', '#5c7f1a'] as const;
export const seriesColour = (i: number): string => SERIES_COLOURS[i % SERIES_COLOURS.length] ?? '#1f6fb2';
