// Names for services created without one, in dockerd's `adjective_surname` style
// (moby pkg/namesgenerator).

import { randomInt } from 'node:crypto';

const LEFT = [
  'admiring', 'adoring', 'affectionate', 'agitated', 'amazing', 'angry', 'awesome', 'blissful', 'bold', 'boring',
  'brave', 'busy', 'charming', 'clever', 'compassionate', 'competent', 'condescending', 'confident', 'cool', 'cranky',
  'crazy', 'dazzling', 'determined', 'distracted', 'dreamy', 'eager', 'ecstatic', 'elastic', 'elated', 'elegant',
  'eloquent', 'epic', 'exciting', 'fervent', 'festive', 'flamboyant', 'focused', 'friendly', 'frosty', 'funny',
  'gallant', 'gifted', 'goofy', 'gracious', 'great', 'happy', 'hardcore', 'heuristic', 'hopeful', 'hungry',
  'infallible', 'inspiring', 'intelligent', 'interesting', 'jolly', 'jovial', 'keen', 'kind', 'laughing', 'loving',
  'lucid', 'magical', 'modest', 'musing', 'mystifying', 'naughty', 'nervous', 'nice', 'nifty', 'nostalgic',
  'objective', 'optimistic', 'peaceful', 'pedantic', 'pensive', 'practical', 'priceless', 'quirky', 'quizzical', 'recursing',
  'relaxed', 'reverent', 'romantic', 'sad', 'serene', 'sharp', 'silly', 'sleepy', 'stoic', 'strange',
  'stupefied', 'suspicious', 'sweet', 'tender', 'thirsty', 'trusting', 'unruffled', 'upbeat', 'vibrant', 'vigilant',
  'vigorous', 'wizardly', 'wonderful', 'xenodochial', 'youthful', 'zealous', 'zen',
];

const RIGHT = [
  'agnesi', 'albattani', 'allen', 'archimedes', 'babbage', 'banach', 'bardeen', 'bartik', 'bell', 'bhabha',
  'blackwell', 'bohr', 'booth', 'borg', 'bose', 'brahmagupta', 'brattain', 'brown', 'carson', 'cerf',
  'chandrasekhar', 'clarke', 'colden', 'curie', 'darwin', 'dijkstra', 'dubinsky', 'einstein', 'elion', 'engelbart',
  'euclid', 'euler', 'fermat', 'fermi', 'feynman', 'franklin', 'galileo', 'gauss', 'goldberg', 'goodall',
  'hamilton', 'hawking', 'heisenberg', 'hermann', 'hodgkin', 'hoover', 'hopper', 'hypatia', 'jackson', 'jennings',
  'johnson', 'kalam', 'kapitsa', 'keller', 'kepler', 'khorana', 'knuth', 'kowalevski', 'lalande', 'lamarr',
  'leakey', 'leavitt', 'lovelace', 'lumiere', 'mahavira', 'mayer', 'mccarthy', 'mcclintock', 'meitner', 'mendel',
  'merkle', 'mirzakhani', 'montalcini', 'moore', 'morse', 'napier', 'nash', 'newton', 'nightingale', 'nobel',
  'noether', 'pare', 'pascal', 'pasteur', 'perlman', 'pike', 'poincare', 'ptolemy', 'raman', 'ramanujan',
  'ride', 'ritchie', 'rosalind', 'sammet', 'shannon', 'shockley', 'sinoussi', 'stonebraker', 'swanson', 'tesla',
  'thompson', 'torvalds', 'turing', 'varahamihira', 'wescoff', 'wilbur', 'wiles', 'williams', 'wilson', 'wing',
  'wozniak', 'wright', 'yalow', 'yonath',
];

export function randomServiceName(): string {
  const name = `${LEFT[randomInt(LEFT.length)]}_${RIGHT[randomInt(RIGHT.length)]}`;
  // "boring_wozniak" is not allowed (moby's namesgenerator, where Steve Wozniak is not boring).
  return name === 'boring_wozniak' ? randomServiceName() : name;
}
