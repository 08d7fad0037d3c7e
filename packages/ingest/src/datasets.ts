/**
 * The 28×28 IDX datasets ingest knows: where each is usually found, where it is published, its class names, and
 * checksums of its four files.
 */
import { FASHION_MNIST_CLASSES } from './contract.ts';

/** Names accepted by `--dataset`. */
export const DATASET_NAMES = ['fashion-mnist', 'mnist', 'kmnist'] as const;

/** One of {@link DATASET_NAMES}. */
export type DatasetName = (typeof DATASET_NAMES)[number];

/** The four files of an MNIST-style dataset, without the `.gz` suffix. */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** Which of the four files: `trainImages`, `trainLabels`, `testImages`, `testLabels`. */
export type IdxRole = keyof typeof IDX_FILES;

/** The roles in a fixed order (train before test, images before labels). */
export const IDX_ROLES = Object.keys(IDX_FILES) as IdxRole[];

/**
 * What is known about one published file. Every checksum present is verified after a download; at least one of
 * `sha256`/`md5` must be given for a download to be accepted.
 */
export interface KnownFile {
  /** Lower-case hex sha256 of the file as published (the `.gz` bytes). */
  sha256?: string;
  /** Lower-case hex md5 of the file as published, where only an md5 is published. */
  md5?: string;
  /** Lower-case hex sha256 of the decompressed IDX bytes: survives recompression (Debian re-gzips the files). */
  contentSha256?: string;
}

/** Checksums of a dataset's four published `.gz` files, by role. */
export type ChecksumTable = Record<IdxRole, KnownFile>;

/** Everything ingest knows about a dataset. */
export interface DatasetSpec {
  name: DatasetName;
  /** Environment variable naming a directory that holds the four files. */
  envVar: string;
  /** Directories a system package installs the files into (Debian's `dataset-fashion-mnist`). */
  systemDirs: readonly string[];
  /** Base URLs the `.gz` files are published under, tried in order (each ends with `/`). */
  mirrors: readonly string[];
  /** Class names by label (0…9). */
  classNames: readonly string[];
  checksums: ChecksumTable;
  /** How to get the data without a download, for error messages. */
  installHint?: string;
}

/**
 * N.B. these are the class names of PyTorch's TensorBoard tutorial (`'Ankle Boot'`), not torchvision's
 * `FashionMNIST.classes` (`'Ankle boot'`): they become PR-curve tags and projector labels, which should match the
 * tutorial's.
 */

/** The known datasets. Checksum provenance is in the package README. */
export const DATASETS: Readonly<Record<DatasetName, DatasetSpec>> = {
  'fashion-mnist': {
    name: 'fashion-mnist',
    envVar: 'FASHION_MNIST_DIR',
    systemDirs: ['/usr/share/datasets/fashion-mnist'],
    mirrors: ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'],
    classNames: FASHION_MNIST_CLASSES,
    installHint: 'apt-get install dataset-fashion-mnist',
    // md5: zalandoresearch/fashion-mnist README and torchvision; sha256: torchvision-ruby (a second public source
    // pairs the same md5 and sha256). contentSha256: computed from the decompressed files of Debian's
    // dataset-fashion-mnist 0.0~git20200523.55506a9-1. N.B. Debian re-gzipped the files, so their .gz sha256 differs
    // from the published one: a gz-level checksum taken from Debian would reject every genuine download.
    checksums: {
      trainImages: {
        sha256: '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84',
        md5: '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
        contentSha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
      },
      trainLabels: {
        sha256: 'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845',
        md5: '25c81989df183df01b3e8a0aad5dffbe',
        contentSha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
      },
      testImages: {
        sha256: '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073',
        md5: 'bef4ecab320f06d8554ea6380940ec79',
        contentSha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
      },
      testLabels: {
        sha256: '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5',
        md5: 'bb300cfdad3c16e7a12a480ee83cd310',
        contentSha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
      },
    },
  },
  mnist: {
    name: 'mnist',
    envVar: 'MNIST_DIR',
    systemDirs: [],
    // torchvision's mirrors, in its order: yann.lecun.com now often refuses downloads.
    mirrors: ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'http://yann.lecun.com/exdb/mnist/'],
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    // md5: torchvision.datasets.MNIST. sha256: torchvision-ruby's MNIST resources (the train-images one also matches
    // tensorflow-datasets' url_checksums).
    checksums: {
      trainImages: {
        sha256: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
        md5: 'f68b3c2dcbeaaa9fbdd348bbdeb94873',
      },
      trainLabels: {
        sha256: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
        md5: 'd53e105ee54ea40749a09fcbcd1e9432',
      },
      testImages: {
        sha256: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
        md5: '9fb629c4189551a2d022fa330f9573f3',
      },
      testLabels: {
        sha256: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
        md5: 'ec29112dd5afa0611ce80d1b7f02629c',
      },
    },
  },
  kmnist: {
    name: 'kmnist',
    envVar: 'KMNIST_DIR',
    systemDirs: [],
    mirrors: ['http://codh.rois.ac.jp/kmnist/dataset/kmnist/'],
    // torchvision.datasets.KMNIST.classes (romanised hiragana).
    classNames: ['o', 'ki', 'su', 'tsu', 'na', 'ha', 'ma', 'ya', 're', 'wo'],
    // md5: torchvision.datasets.KMNIST. sha256: torchvision-ruby's KMNIST resources.
    checksums: {
      trainImages: {
        sha256: '51467d22d8cc72929e2a028a0428f2086b092bb31cfb79c69cc0a90ce135fde4',
        md5: 'bdb82020997e1d708af4cf47b453dcf7',
      },
      trainLabels: {
        sha256: 'e38f9ebcd0f3ebcdec7fc8eabdcdaef93bb0df8ea12bee65224341c8183d8e17',
        md5: 'e144d726b3acfaa3e44228e80efcd344',
      },
      testImages: {
        sha256: 'edd7a857845ad6bb1d0ba43fe7e794d164fe2dce499a1694695a792adfac43c5',
        md5: '5c965bf0a639b31b8f53240b1b52f4d7',
      },
      testLabels: {
        sha256: '20bb9a0ef54c7db3efc55a92eef5582c109615df22683c380526788f98e42a1c',
        md5: '7320c461ea6c1c855c0b718fb2a4b134',
      },
    },
  },
};

/** True if `name` is one of {@link DATASET_NAMES}. */
export function isDatasetName(name: string): name is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(name);
}
