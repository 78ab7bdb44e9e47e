import { TextClassifier } from './classifier';
import { type LabelledExample } from './dataset';
import { seededRandom } from './linear';
import { trainOffThread } from './train-off-thread';

/** Rows with a vocabulary large enough that training takes a noticeable while. */
function rows(n: number): LabelledExample[] {
  const random = seededRandom(7);
  const labels = ['двор', 'крыша', 'свет', 'дорога', 'подъезд', 'мусор'];
  const word = () => {
    let w = '';
    const len = 3 + Math.floor(random() * 6);
    for (let i = 0; i < len; i++) w += 'абвгдежзиклмнопрстуфхцчшыэюя'[Math.floor(random() * 28)];
    return w;
  };
  const vocabulary = labels.map(() => Array.from({ length: 400 }, word));
  return Array.from({ length: n }, (_, i) => {
    const c = i % labels.length;
    const words = Array.from({ length: 30 }, () => vocabulary[random() < 0.7 ? c : Math.floor(random() * 6)]);
    return {
      text: words.map((v) => v[Math.floor(random() * v.length)]).join(' '),
      label: labels[c],
      features: {},
    };
  });
}

describe('training off the event loop', () => {
  const examples = rows(1200);
  const options = { holdout: 0.1, threads: 1, linear: { seed: 3 } } as const;

  it('keeps the event loop turning while a model trains, and trains the same model as in-process', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    let model: TextClassifier, inProcess: TextClassifier, duringThread: number, duringInProcess: number;
    try {
      model = await trainOffThread(examples, options);
      duringThread = ticks;
      ticks = 0;
      inProcess = await TextClassifier.train(examples, options);
      duringInProcess = ticks;
    } finally {
      // A failed training must not leave the ticker keeping jest's worker alive.
      clearInterval(timer);
    }

    // In-process training with one thread is synchronous: the timer cannot fire until it ends.
    expect(duringInProcess).toBe(0);
    expect(duringThread).toBeGreaterThan(3);
    const probe = examples.slice(0, 50);
    expect(probe.map((e) => model.predict(e).label)).toEqual(probe.map((e) => inProcess.predict(e).label));
    expect(model.metadata.training?.rows).toBe(1200);
  }, 120_000);

  it('passes a refusal of the rows back as an error', async () => {
    await expect(trainOffThread(examples.slice(0, 1), options)).rejects.toThrow(/at least 2/);
  });
});
